using System.Collections.Concurrent;
using System.Diagnostics;
using SocketKit.Metrics;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>Counters of one phase, shared by every connection, with a per-second timeline from the phase's start.</summary>
    private sealed class Stats(long start, int seconds)
    {
        private readonly long[] _second = new long[seconds * 5]; // Per second: sent, completed, errors, latency sum, latency max.
        private long _completed;
        private long _sent;
        private long _sentInTime;
        private long _bytesSent;
        private long _bytesReceived;
        private long _notKeptAlive;
        private long _firstSent;

        public long Start { get; } = start;

        public LatencyHistogram Latency { get; } = new();

        public ConcurrentDictionary<string, long> Errors { get; } = new();

        public long Completed => Interlocked.Read(ref _completed);

        /// <summary>Requests sent in the phase, and of them those sent (at a fixed rate: due) before its deadline.</summary>
        public long Sent => Interlocked.Read(ref _sent);

        public long SentInTime => Interlocked.Read(ref _sentInTime);

        /// <summary>When the phase's first request went out; 0 before.</summary>
        public long FirstSent => Interlocked.Read(ref _firstSent);

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        public long NotKeptAlive => Interlocked.Read(ref _notKeptAlive);

        public long ErrorCount => Errors.Values.Sum();

        /// <summary>
        /// A request going out now. In an open loop it counts where the schedule put it, as its latency does: in the
        /// second it was due in, and as sent within the run when it was due within it (an overdue one sent after a stall).
        /// </summary>
        public void Sending(long now, long deadline, long? due = null)
        {
            Interlocked.Increment(ref _sent);
            if (Interlocked.Read(ref _firstSent) == 0)
            {
                Interlocked.CompareExchange(ref _firstSent, now, 0);
            }
            if ((due ?? now) < deadline)
            {
                Interlocked.Increment(ref _sentInTime);
            }
            Interlocked.Increment(ref _second[Slot(due ?? now)]);
        }

        /// <summary>An answer to a request sent (or, in an open loop, due) at <paramref name="sentAt"/>.</summary>
        public void Answered(long sentAt, int sent, int received, string? wrong)
        {
            Interlocked.Add(ref _bytesSent, sent);
            Interlocked.Add(ref _bytesReceived, received);
            if (wrong is not null)
            {
                Error(wrong);
                return;
            }
            long now = Stopwatch.GetTimestamp();
            long latency = Math.Max(0, (long)((now - sentAt) * (1e9 / Stopwatch.Frequency)));
            Latency.Record(latency);
            Interlocked.Increment(ref _completed);
            int slot = Slot(now);
            Interlocked.Increment(ref _second[slot + 1]);
            Interlocked.Add(ref _second[slot + 3], latency);
            InterlockedExtremes.Max(ref _second[slot + 4], latency);
        }

        public void Error(string kind)
        {
            Errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _second[Slot(Stopwatch.GetTimestamp()) + 2]);
        }

        /// <summary>An answer without "keep-alive": true where it was asked for: the server will close.</summary>
        public void NotKept() => Interlocked.Increment(ref _notKeptAlive);

        /// <summary>The seconds from the start up to <paramref name="now"/>; the last only when it is whole, unless <paramref name="partial"/>.</summary>
        public List<BenchSecond> Timeline(long now, bool partial)
        {
            double elapsed = (double)(now - Start) / Stopwatch.Frequency;
            int count = Math.Min(_second.Length / 5, partial ? (int)Math.Ceiling(elapsed) : (int)elapsed);
            var seconds = new List<BenchSecond>(count);
            for (int i = 0; i < count; i++)
            {
                long completed = Interlocked.Read(ref _second[i * 5 + 1]);
                seconds.Add(new BenchSecond(i + 1, Interlocked.Read(ref _second[i * 5]), completed, Interlocked.Read(ref _second[i * 5 + 2]),
                    completed == 0 ? 0 : Interlocked.Read(ref _second[i * 5 + 3]) / completed, Interlocked.Read(ref _second[i * 5 + 4])));
            }
            if (partial && seconds.Count > 0 && seconds[^1] is { Sent: 0, Completed: 0, Errors: 0 })
            {
                seconds.RemoveAt(seconds.Count - 1); // A last part-second with nothing in it says nothing.
            }
            return seconds;
        }

        private int Slot(long now) => (int)Math.Clamp((now - Start) / Stopwatch.Frequency, 0, (_second.Length / 5) - 1) * 5;
    }
}
