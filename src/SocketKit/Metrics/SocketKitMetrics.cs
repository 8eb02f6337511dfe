using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SocketKit.Metrics;

/// <summary>
/// SocketKit's server meter, named and shaped as .NET's own networking meters are (Kestrel's
/// "Microsoft.AspNetCore.Server.Kestrel", System.Net's "System.Net.Http"): lowercase dotted names, UCUM units
/// ("{connection}", "s", "By"), durations in seconds, and OpenTelemetry tag names (<c>server.port</c>,
/// <c>network.transport</c>, <c>error.type</c>). Every measurement carries the listening port, so one process
/// running several servers can tell them apart. Read them with <c>dotnet-counters monitor -n socketkit
/// --counters SocketKit.Server</c>, OpenTelemetry, or a <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// The instruments are created once per instance; <see cref="Shared"/> is the instance servers use unless
/// <see cref="Transport.ServerOptions.Metrics"/> names another (for example one made from an
/// <see cref="IMeterFactory"/> in a hosted application).
/// </remarks>
public sealed class SocketKitMetrics : IDisposable
{
    /// <summary>The meter's name: "SocketKit.Server".</summary>
    public const string MeterName = "SocketKit.Server";

    /// <summary>Connections open now (UpDownCounter, "{connection}").</summary>
    public const string ActiveConnections = "socketkit.server.active_connections";

    /// <summary>Connections accepted since start (Counter, "{connection}").</summary>
    public const string Connections = "socketkit.server.connections";

    /// <summary>How long connections stayed open, in seconds (Histogram, "s").</summary>
    public const string ConnectionDuration = "socketkit.server.connection.duration";

    /// <summary>Connections refused after accept, tagged <c>socketkit.rejection.reason</c> (Counter, "{connection}").</summary>
    public const string RejectedConnections = "socketkit.server.rejected_connections";

    /// <summary>Requests answered, tagged <c>socketkit.request.action</c> (Counter, "{request}").</summary>
    public const string Requests = "socketkit.server.requests";

    /// <summary>Time from a whole request to its encoded response, in seconds (Histogram, "s").</summary>
    public const string RequestDuration = "socketkit.server.request.duration";

    /// <summary>Bytes received from peers (Counter, "By").</summary>
    public const string BytesReceived = "socketkit.server.bytes_received";

    /// <summary>Bytes sent to peers (Counter, "By").</summary>
    public const string BytesSent = "socketkit.server.bytes_sent";

    /// <summary>Protocol errors, tagged <c>error.type</c> with the <see cref="Protocol.ProtocolError"/> name (Counter, "{error}").</summary>
    public const string ProtocolErrors = "socketkit.server.protocol_errors";

    /// <summary>
    /// Timeouts, tagged <c>socketkit.timeout.kind</c> (for example "idle", "request"; every kind is in
    /// <see cref="Transport.Connections.ConnectionCloseReasons"/>' table) (Counter, "{timeout}").
    /// </summary>
    public const string Timeouts = "socketkit.server.timeouts";

    /// <summary>Counter: times the server paused accepting because descriptors or threads ran out. Tags: <c>error.type</c> (emfile, enobufs, thread).</summary>
    public const string AcceptPauses = "socketkit.server.accept_pauses";

    /// <summary>
    /// Requests whose handler failed, tagged <c>socketkit.request.action</c> and <c>error.type</c>: "exception" (it threw,
    /// at once or when awaited) or "timeout" (it did not answer within the handler timeout) (Counter, "{failure}").
    /// </summary>
    public const string HandlerFailures = "socketkit.server.handler_failures";

    // As Kestrel's and HttpClient's duration histograms advise: short request/response exchanges.
    private static readonly double[] DurationBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _connections;
    private readonly Histogram<double> _connectionDuration;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _timeouts;
    private readonly Counter<long> _acceptPauses;
    private readonly Counter<long> _handlerFailures;

    /// <summary>Creates the instruments, on a meter from <paramref name="meterFactory"/> when given (as hosted .NET applications do), or a meter of its own.</summary>
    public SocketKitMetrics(IMeterFactory? meterFactory = null)
    {
        string? version = typeof(SocketKitMetrics).Assembly.GetName().Version?.ToString();
        _meter = meterFactory?.Create(new MeterOptions(MeterName) { Version = version }) ?? new Meter(MeterName, version);
        _active = _meter.CreateUpDownCounter<long>(ActiveConnections, "{connection}", "Number of connections open on the server.");
        _connections = _meter.CreateCounter<long>(Connections, "{connection}", "Number of connections the server accepted.");
        _connectionDuration = _meter.CreateHistogram(ConnectionDuration, "s", "How long connections stayed open.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _rejected = _meter.CreateCounter<long>(RejectedConnections, "{connection}", "Number of connections the server refused to serve.");
        _requests = _meter.CreateCounter<long>(Requests, "{request}", "Number of application requests answered.");
        _requestDuration = _meter.CreateHistogram(RequestDuration, "s", "Time to answer one application request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _bytesReceived = _meter.CreateCounter<long>(BytesReceived, "By", "Bytes received from peers.");
        _bytesSent = _meter.CreateCounter<long>(BytesSent, "By", "Bytes sent to peers.");
        _protocolErrors = _meter.CreateCounter<long>(ProtocolErrors, "{error}", "Number of protocol errors, by kind.");
        _timeouts = _meter.CreateCounter<long>(Timeouts, "{timeout}", "Number of timeouts, by kind.");
        _acceptPauses = _meter.CreateCounter<long>(AcceptPauses, "{pause}", "Number of times accepting paused because descriptors or threads ran out.");
        _handlerFailures = _meter.CreateCounter<long>(HandlerFailures, "{failure}", "Number of requests whose handler threw or timed out, by kind.");
    }

    /// <summary>The instance servers record to unless their options name another; created on first use.</summary>
    public static SocketKitMetrics Shared { get; } = new();

    internal void ConnectionOpened(int port)
    {
        if (!_active.Enabled && !_connections.Enabled)
        {
            return; // Nobody listens: no tags to build for every connection.
        }
        TagList tags = Tags(port);
        _active.Add(1, tags);
        _connections.Add(1, tags);
    }

    internal void ConnectionClosed(int port, long openedAt)
    {
        if (!_active.Enabled && !_connectionDuration.Enabled)
        {
            return;
        }
        TagList tags = Tags(port);
        _active.Add(-1, tags);
        if (_connectionDuration.Enabled)
        {
            _connectionDuration.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds, tags);
        }
    }

    /// <summary>Counts a connection refused after accept (for example over a connection limit), with why.</summary>
    internal void ConnectionRejected(int port, string reason) => CountOne(_rejected, port, "socketkit.rejection.reason", reason);

    internal void Received(int port, int count) => AddBytes(_bytesReceived, port, count);

    internal void Sent(int port, int count) => AddBytes(_bytesSent, port, count);

    internal void RequestAnswered(int port, string action, long startedAt)
    {
        TagList tags = Tags(port);
        tags.Add("socketkit.request.action", action);
        _requests.Add(1, tags);
        if (_requestDuration.Enabled)
        {
            _requestDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
        }
    }

    internal void ProtocolError(int port, string kind) => CountOne(_protocolErrors, port, "error.type", kind);

    /// <summary>Counts a timeout of one kind ("idle", "request", ...).</summary>
    internal void Timeout(int port, string kind) => CountOne(_timeouts, port, "socketkit.timeout.kind", kind);

    /// <summary>Counts a request whose handler failed: <paramref name="kind"/> is "exception" or "timeout".</summary>
    internal void HandlerFailed(int port, string action, string kind)
    {
        TagList tags = Tags(port);
        tags.Add("socketkit.request.action", action);
        tags.Add("error.type", kind);
        _handlerFailures.Add(1, tags);
    }

    internal void AcceptPaused(int port, string kind) => CountOne(_acceptPauses, port, "error.type", kind);

    private static TagList Tags(int port) => new() { { "network.transport", "tcp" }, { "server.port", port } };

    /// <summary>Counts one event on <paramref name="port"/> with the one tag that says which kind it was.</summary>
    private static void CountOne(Counter<long> counter, int port, string tag, string value)
    {
        TagList tags = Tags(port);
        tags.Add(tag, value);
        counter.Add(1, tags);
    }

    /// <summary>Adds bytes moved on <paramref name="port"/>; skipped, tags and all, while nobody listens.</summary>
    private static void AddBytes(Counter<long> counter, int port, int count)
    {
        if (counter.Enabled)
        {
            counter.Add(count, Tags(port));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
