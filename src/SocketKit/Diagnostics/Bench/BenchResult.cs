namespace SocketKit.Diagnostics.Bench;

/// <summary>What a load run measured. Times are of the measured part only (after the warm-up).</summary>
public sealed record BenchResult
{
    /// <summary>The options the run used.</summary>
    public required BenchOptions Options { get; init; }

    /// <summary>How long the measured part lasted.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>How long requests were sent for: from the measured part's first request to its deadline (or its end).</summary>
    public TimeSpan SendElapsed { get; init; }

    /// <summary>Requests sent in the measured part before its deadline.</summary>
    public long Sent { get; init; }

    /// <summary>Requests sent per second: in an open loop, what the run held against <see cref="BenchOptions.Rate"/>.</summary>
    public double SentPerSecond => SendElapsed > TimeSpan.Zero ? Sent / SendElapsed.TotalSeconds : 0;

    /// <summary>
    /// With <see cref="BenchOptions.KeepAlive"/> above 1: answers that came without "keep-alive": true, after each
    /// of which the server closed (the server does not keep connections alive). 0 otherwise.
    /// </summary>
    public long NotKeptAlive { get; init; }

    /// <summary>The measured part second by second.</summary>
    public IReadOnlyList<BenchSecond> Timeline { get; init; } = [];

    /// <summary>Requests (echo: messages) answered completely (and, with Verify, correctly).</summary>
    public required long Completed { get; init; }

    /// <summary>Bytes sent and received in the measured part.</summary>
    public required long BytesSent { get; init; }

    /// <summary>Bytes received in the measured part.</summary>
    public required long BytesReceived { get; init; }

    /// <summary>
    /// Request latencies, from sending a request (one-shot app: from connecting; open loop: from its due time) to the
    /// last byte of its answer.
    /// </summary>
    public required LatencyHistogram Latency { get; init; }

    /// <summary>Failed requests and connections by kind (e.g. ConnectionRefused, wrong bytes, closed early).</summary>
    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    /// <summary>Time to open the first connection of every worker, all of them; null if some never connected.</summary>
    public TimeSpan? ConnectAllTime { get; init; }

    /// <summary>This process's CPU time in the measured part.</summary>
    public required TimeSpan ClientCpu { get; init; }

    /// <summary>The server's samples, when a pid was given: before connecting, once all were connected, before and after the measured part.</summary>
    public ServerSamples? Server { get; init; }

    /// <summary>Requests per second.</summary>
    public double RequestsPerSecond => Completed / Elapsed.TotalSeconds;

    /// <summary>Received megabytes (10^6 bytes) per second.</summary>
    public double ReceivedMBPerSecond => BytesReceived / 1e6 / Elapsed.TotalSeconds;

    /// <summary>All errors counted.</summary>
    public long ErrorCount => Errors.Values.Sum();
}

/// <summary>The server process at the moments a run samples it.</summary>
public sealed record ServerSamples
{
    /// <summary>Before the first connection.</summary>
    public required ProcessSample BeforeConnecting { get; init; }

    /// <summary>Once every connection was open (and after the idle hold, if any); null if not all connected.</summary>
    public ProcessSample? AllConnected { get; init; }

    /// <summary>At the start of the idle hold, if there was one.</summary>
    public ProcessSample? IdleStart { get; init; }

    /// <summary>At the start of the measured part.</summary>
    public required ProcessSample MeasureStart { get; init; }

    /// <summary>At the end of the measured part.</summary>
    public required ProcessSample MeasureEnd { get; init; }
}
