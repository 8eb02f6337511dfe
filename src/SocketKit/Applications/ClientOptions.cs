namespace SocketKit.Applications;

/// <summary>How long a client waits. Every wait is bounded: a client never hangs.</summary>
public sealed record ClientOptions
{
    /// <summary>The longest a connect may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest the whole exchange may take after connecting. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Speak TLS, trusting what these options say. Null, the default: plain TCP.</summary>
    public Transport.Tls.TlsClientOptions? Tls { get; init; }

    /// <summary>The longest the TLS handshake may take after connecting. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
