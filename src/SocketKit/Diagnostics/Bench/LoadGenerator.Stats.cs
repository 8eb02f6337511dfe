using System.Collections.Concurrent;
using System.Diagnostics;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>Counters of one phase, shared by every connection.</summary>
    private sealed class Stats
    {
        private long _completed;
        private long _bytesSent;
        private long _bytesReceived;

        public LatencyHistogram Latency { get; } = new();

        public ConcurrentDictionary<string, long> Errors { get; } = new();

        public long Completed => Interlocked.Read(ref _completed);

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        public long ErrorCount => Errors.Values.Sum();

        public void Answered(long sentAt, int sent, int received, string? wrong)
        {
            Interlocked.Add(ref _bytesSent, sent);
            Interlocked.Add(ref _bytesReceived, received);
            if (wrong is not null)
            {
                Error(wrong);
                return;
            }
            Latency.Record((long)((Stopwatch.GetTimestamp() - sentAt) * (1e9 / Stopwatch.Frequency)));
            Interlocked.Increment(ref _completed);
        }

        public void Error(string kind) => Errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }
}
