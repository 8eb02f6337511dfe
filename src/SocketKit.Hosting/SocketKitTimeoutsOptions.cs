namespace SocketKit.Hosting;

/// <summary>
/// The configurable part of <see cref="Transport.ServerTimeouts"/>, as TimeSpan text ("00:00:30"); null keeps the default.
/// </summary>
public sealed class SocketKitTimeoutsOptions
{
    /// <summary>How long a whole request may take to arrive, from its first byte (default 30 s).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>The former name of <see cref="RequestTimeout"/>, still read so existing configuration keeps working.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public TimeSpan? HeaderTimeout { get; set; } // RequestTimeout's former name.

    /// <summary>How long a kept-alive connection may wait between requests (default 2 min).</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// On stop, how long requests in flight may take to finish (default 30 s). It never exceeds the host's
    /// shutdown timeout (HostOptions.ShutdownTimeout), so the drain ends before the host gives up waiting.
    /// </summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>How long a TLS handshake may take (default 10 s).</summary>
    public TimeSpan? HandshakeTimeout { get; set; }
}
