using SocketKit.Transport.Tls;

namespace SocketKit.Diagnostics.Diagnose;

/// <summary>Which protocol the probe speaks once connected.</summary>
public enum DiagnoseProtocol
{
    /// <summary>One request of the tutorial's application protocol; any whole response passes.</summary>
    App,

    /// <summary>One echo round trip: the bytes sent must come back.</summary>
    Echo,
}

/// <summary>What <see cref="ConnectionDiagnoser"/> checks, and how long it waits for each step.</summary>
public sealed record DiagnoseOptions
{
    /// <summary>The host name or IP address to diagnose.</summary>
    public required string Host { get; init; }

    /// <summary>The TCP port, 1 to 65535.</summary>
    public required int Port { get; init; }

    /// <summary>TLS to speak, or null for plain TCP (then a server that turns out to speak TLS is found by a second handshake).</summary>
    public TlsClientOptions? Tls { get; init; }

    /// <summary>The protocol probe. Default <see cref="DiagnoseProtocol.App"/>.</summary>
    public DiagnoseProtocol Protocol { get; init; } = DiagnoseProtocol.App;

    /// <summary>The longest to wait for each TCP connect. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest to wait for an answer to the probe, and for a TLS handshake. Default 3 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest to wait for each ICMP echo reply. Default 1 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
