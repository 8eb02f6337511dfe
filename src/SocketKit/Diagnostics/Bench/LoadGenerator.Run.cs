using System.Diagnostics;
using SocketKit.Applications.App;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>One run's shared state: what to send, what to expect, the phase's counters, and when to stop.</summary>
    private sealed class Run : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _phase = new();
        private volatile Stats _stats;
        private volatile bool _measuring;
        private long _remaining;
        private long _stopAt = long.MaxValue;
        private int _connected;
        private int _handshakeLogged;
        private int _paced = -1;

        public Run(BenchOptions options, CancellationToken cancellationToken)
        {
            Options = options;
            _stats = new Stats(Stopwatch.GetTimestamp(), TimelineSeconds(options));
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _remaining = options.Requests ?? long.MaxValue;
            if (options.Idle == TimeSpan.Zero)
            {
                _gate.SetResult();
            }
            if (options.Kind == BenchKind.Echo)
            {
                EchoPayload = new byte[options.MessageBytes];
                for (int i = 0; i < EchoPayload.Length; i++)
                {
                    EchoPayload[i] = (byte)('a' + i % 26); // Printable, and a shifted byte shows.
                }
            }
            else
            {
                bool keepAlive = options.KeepAlive > 1;
                Message request = AppRequests.Json("search", options.Value, keepAlive);
                byte[] one = MessageEncoder.Encode(request.Header, request.Content.Span);
                RequestBytes = one.Length;
                RequestBatch = new byte[one.Length * options.Pipeline];
                for (int i = 0; i < options.Pipeline; i++)
                {
                    one.CopyTo(RequestBatch, i * one.Length);
                }
                AppResponse answer = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request);
                ExpectedOneShot = Expected(request with { Header = request.Header with { KeepAlive = false } }, answer);
                ExpectedKeepAlive = Expected(request with { Header = request.Header with { KeepAlive = true } }, answer);
            }
        }

        public BenchOptions Options { get; }

        public CancellationToken Token => _stop.Token;

        public TaskCompletionSource AllConnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long AllConnectedAt { get; private set; }

        public byte[] EchoPayload { get; } = [];

        public byte[] RequestBatch { get; } = [];

        public int RequestBytes { get; }

        /// <summary>The right answer as the reference conversation has it (no keep-alive key) ...</summary>
        public byte[] ExpectedOneShot { get; } = [];

        /// <summary>... and as a server granting keep-alive writes it.</summary>
        public byte[] ExpectedKeepAlive { get; } = [];

        public Stats Stats => _stats;

        public long StopTimestamp => Interlocked.Read(ref _stopAt);

        public void StopAt(long timestamp) => Interlocked.Exchange(ref _stopAt, timestamp);

        public Stats BeginMeasuring()
        {
            var stats = new Stats(Stopwatch.GetTimestamp(), TimelineSeconds(Options));
            lock (_phase)
            {
                _stats = stats;
                _measuring = true;
            }
            return stats;
        }

        /// <summary>
        /// Takes one request to send, and returns the counters of the phase it belongs to (a request sent in
        /// the warm-up counts there, even if answered later); null once the count is spent or the time is up.
        /// In an open loop, <paramref name="due"/> is the request's intended send time: a request due before the
        /// end is still sent when its connection is behind.
        /// </summary>
        public Stats? Claim(long? due = null)
        {
            long now = Stopwatch.GetTimestamp();
            long stopAt = StopTimestamp;
            if (_stop.IsCancellationRequested || (due ?? now) >= stopAt)
            {
                return null;
            }
            Stats stats = _stats;
            bool measuring = _measuring;
            if (measuring && Interlocked.Decrement(ref _remaining) < 0)
            {
                return null;
            }
            stats.Sending(now, stopAt, due);
            return stats;
        }

        /// <summary>An open loop's schedule for the next connection to start one; null in a closed loop.</summary>
        public Pacer? NewPacer() => Options.Rate is double rate
            ? new Pacer(rate, Options.Connections, Interlocked.Increment(ref _paced) % Options.Connections)
            : null;

        /// <summary>The run's logger for the first connection only: what one TLS handshake negotiated is said once, not for every connection.</summary>
        public ILogger? HandshakeLogger() =>
            Options.Logger is { } logger && Interlocked.Exchange(ref _handshakeLogged, 1) == 0 ? logger : null;

        public void Connected()
        {
            if (Interlocked.Increment(ref _connected) == Options.Connections)
            {
                AllConnectedAt = Stopwatch.GetTimestamp();
                AllConnected.TrySetResult();
            }
        }

        public void ConnectError(string kind) => _stats.Error(kind);

        /// <summary>True once every connection may send: at once, or after the idle hold.</summary>
        public bool GateOpen => _gate.Task.IsCompleted;

        public void OpenGate() => _gate.TrySetResult();

        public void Stop() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Dispose();
        }

        /// <summary>Whole seconds the timeline of a phase may need: the run, and its drain at the end.</summary>
        private static int TimelineSeconds(BenchOptions options) =>
            (int)Math.Ceiling((options.Warmup + options.Idle + options.Duration + options.Timeout).TotalSeconds) + 2;

        /// <summary>The bytes a server's conversation writes when it answers <paramref name="request"/> with <paramref name="answer"/>: keep-alive as the request asked.</summary>
        private static byte[] Expected(Message request, AppResponse answer)
        {
            var server = new ServerConversation();
            var input = new ReadOnlySequence<byte>(MessageEncoder.Encode(request.Header, request.Content.Span));
            server.Receive(ref input);
            var output = new ArrayBufferWriter<byte>();
            server.Respond(output, answer.ContentType, answer.ContentEncoding, answer.Content.Span);
            return output.WrittenSpan.ToArray();
        }
    }
}
