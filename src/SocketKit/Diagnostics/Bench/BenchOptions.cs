using SocketKit.Transport.Tls;

namespace SocketKit.Diagnostics.Bench;

/// <summary>What a load run does. Every run is bounded: it ends at <see cref="Duration"/> at the latest.</summary>
public sealed record BenchOptions
{
    /// <summary>The protocol to speak.</summary>
    public required BenchKind Kind { get; init; }

    /// <summary>The server to load: an IP endpoint, or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public required EndPoint EndPoint { get; init; }

    /// <summary>
    /// Speak TLS on every connection, verifying the server as these options say (its
    /// <see cref="TlsClientOptions.ServerName"/> defaults to the endpoint's address). Null, the default: plain TCP.
    /// </summary>
    public TlsClientOptions? Tls { get; init; }

    /// <summary>Where the run's details go: at Debug, what the first TLS handshake negotiated and the server's certificate. Default null: nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>With <see cref="Tls"/>: how long one handshake may take before the connection counts as failed. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections open at once (each carries one request at a time, or <see cref="Pipeline"/>). Default 10.</summary>
    public int Connections { get; init; } = 10;

    /// <summary>How long the measured part lasts, at most. Default 10 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many requests (or at <see cref="Duration"/>, whichever comes first). Null: run for the duration.</summary>
    public long? Requests { get; init; }

    /// <summary>Load sent before measuring, so connections, JIT and caches are warm; nothing of it is counted. Default none.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    /// <summary>Echo: bytes per message. Default 64.</summary>
    public int MessageBytes { get; init; } = 64;

    /// <summary>
    /// App: requests per connection. 1 (the default) is the reference conversation: one request without the
    /// keep-alive key, then the server closes. More sends every request with <c>"keep-alive": true</c>.
    /// </summary>
    public int KeepAlive { get; init; } = 1;

    /// <summary>App: requests in flight on one connection before waiting for responses. Default 1.</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>App: the search value. Default "morpheus".</summary>
    public string Value { get; init; } = "morpheus";

    /// <summary>Check every response byte for byte against the expected answer.</summary>
    public bool Verify { get; init; }

    /// <summary>
    /// How long one request (and one connect or handshake) may wait for its answer before it counts as the error
    /// "timed out" and its connection is dropped; the run also waits this long at the end for the answers in flight.
    /// Default 5 s.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An open loop: requests per second over all connections, each sent at its own time on a fixed schedule, its
    /// latency measured from that intended time (so a server that stalls is charged for every request it held up,
    /// coordinated omission corrected as wrk2 does). Null, the default: a closed loop, each connection sending its
    /// next request once the last is answered.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>Pause between one request's answer and the next on a connection (a paced load). Default none.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.Zero;

    /// <summary>Once every connection is open, hold them all idle this long before sending (measures idle cost). Default none.</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.Zero;

    /// <summary>The server's process id, to sample its CPU time and memory from /proc. Null: not sampled.</summary>
    public int? ServerPid { get; init; }

    /// <summary>Connects in flight at once while opening connections, so a burst does not overflow the listen backlog. Default 128.</summary>
    public int ConnectConcurrency { get; init; } = 128;
}
