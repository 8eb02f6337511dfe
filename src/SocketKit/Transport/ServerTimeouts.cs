using SocketKit.Transport.Connections;
namespace SocketKit.Transport;

/// <summary>
/// How long a server waits for its peers. One heartbeat checks them all (as Kestrel's does), four times a second
/// rather than Kestrel's once, so that a timeout closes its connection within a second of being due even when the
/// close itself waits for a busy machine. Every value is a duration; none means "forever".
/// </summary>
public sealed record ServerTimeouts
{
    /// <summary>The defaults below.</summary>
    public static ServerTimeouts Default { get; } = new();

    /// <summary>
    /// The heartbeat period: how finely deadlines are checked. 250 ms: with Kestrel's one second, a deadline due just
    /// after a tick waits the whole second, leaving nothing for waking and closing the connection under load. The
    /// readiness loops tick only when one of their deadlines is due, so an idle server does not beat at all.
    /// </summary>
    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromMilliseconds(250);

    private readonly TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);
    private readonly TimeSpan _idleTimeout = TimeSpan.FromMinutes(2);
    private readonly TimeSpan _drainTimeout = TimeSpan.FromSeconds(30);
    private readonly TimeSpan _handlerTimeout = TimeSpan.FromSeconds(30);
    private readonly double _minResponseBytesPerSecond = 240;
    private readonly double _minRequestContentBytesPerSecond = 240;
    private readonly TimeSpan _minDataRateGracePeriod = TimeSpan.FromSeconds(5);
    private readonly TimeSpan _handshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a whole request may take to arrive, from its first byte (from the connection's start for the first
    /// request). Default 30 s (Kestrel's RequestHeadersTimeout). More bytes do not extend it, so a peer dribbling a
    /// byte at a time is closed all the same.
    /// </summary>
    public TimeSpan RequestTimeout { get => _requestTimeout; init => _requestTimeout = Positive(value, nameof(RequestTimeout)); }

    /// <summary>
    /// How long a request's handler may work (awaiting, or off the loop) once the request is whole. Default 30 s, as the
    /// request timeout: a client waits no longer for its answer than it may take to send its request. When it runs out
    /// the handler's token is cancelled, the client is answered with an error, and the connection closes.
    /// </summary>
    public TimeSpan HandlerTimeout { get => _handlerTimeout; init => _handlerTimeout = Positive(value, nameof(HandlerTimeout)); }

    /// <summary>How long a kept-alive connection may wait between requests. Default 2 min (Kestrel's KeepAliveTimeout).</summary>
    public TimeSpan IdleTimeout { get => _idleTimeout; init => _idleTimeout = Positive(value, nameof(IdleTimeout)); }

    /// <summary>
    /// On stop, how long requests in flight may take to finish and their responses to go out before what is left
    /// is closed. Default 30 s (the usual grace period of a service manager before it kills).
    /// </summary>
    public TimeSpan DrainTimeout { get => _drainTimeout; init => _drainTimeout = Positive(value, nameof(DrainTimeout)); }

    /// <summary>
    /// The slowest a peer may read a response, in bytes per second, measured over each <see cref="MinDataRateGracePeriod"/>
    /// of a send in turn, so bytes the kernel took at once early on cannot pay for a reader that stopped later while
    /// the server holds the rest. Default 240 (Kestrel's MinResponseDataRate). Only time the server spends waiting
    /// on the peer counts, so responses the kernel takes at once never trip it.
    /// </summary>
    public double MinResponseBytesPerSecond
    {
        get => _minResponseBytesPerSecond;
        init => _minResponseBytesPerSecond = Rate(value, nameof(MinResponseBytesPerSecond));
    }

    /// <summary>
    /// The slowest a peer may send a request's content (the bytes after its JSON header), in bytes per second,
    /// averaged since the content began, once <see cref="MinDataRateGracePeriod"/> has passed. Default 240 (Kestrel's
    /// MinRequestBodyDataRate, averaged as Kestrel does, so a stall of a few seconds on a lossy network does not cut off
    /// a transfer that is well ahead). It cuts off a peer that declares a large content and trickles it, well before
    /// <see cref="RequestTimeout"/> would, which still bounds the whole request, and so a peer that stops after a burst.
    /// </summary>
    public double MinRequestContentBytesPerSecond
    {
        get => _minRequestContentBytesPerSecond;
        init => _minRequestContentBytesPerSecond = Rate(value, nameof(MinRequestContentBytesPerSecond));
    }

    /// <summary>
    /// How long a send, or a request's content, may be slower than its minimum rate (<see cref="MinResponseBytesPerSecond"/>,
    /// <see cref="MinRequestContentBytesPerSecond"/>) before the rate counts, and the window over which a response's
    /// rate is measured. Default 5 s (Kestrel's).
    /// </summary>
    public TimeSpan MinDataRateGracePeriod { get => _minDataRateGracePeriod; init => _minDataRateGracePeriod = Positive(value, nameof(MinDataRateGracePeriod)); }

    /// <summary>
    /// With TLS, the longest a connection may take to complete the handshake, from its accept; a peer that has not
    /// finished by then is closed (<see cref="ConnectionCloseReason.HandshakeTimeout"/>), so connections that open TCP
    /// and never send a ClientHello cannot pile up. Default 10 s: a handshake is two round trips, well under a second
    /// on any network a server faces, so ten leaves room for a slow client without holding idle sockets for long.
    /// </summary>
    public TimeSpan HandshakeTimeout { get => _handshakeTimeout; init => _handshakeTimeout = Positive(value, nameof(HandshakeTimeout)); }

    /// <summary>A rate no link reaches (1 TiB/s): a minimum above it would close every connection.</summary>
    private const double MaxRate = 1024d * 1024 * 1024 * 1024;

    private static double Rate(double value, string name) => value is > 0 and <= MaxRate
        ? value
        : throw new ArgumentOutOfRangeException(name, value, "must be a positive number of bytes per second, at most 1TiB");

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "must be a positive duration");
}
