using SocketKit.Transport.Settings;

namespace SocketKit.Hosting;

/// <summary>
/// One server's settings, bound from configuration section <c>SocketKit:Servers:NAME</c> (appsettings.json,
/// environment variables such as <c>SocketKit__Servers__app__Endpoints__0</c>, the command line). The engine, limits and
/// timeouts are the library's <see cref="ServerSettings"/>, read by their keys (<c>Engine</c>, <c>Limits:MaxContentBytes</c>,
/// <c>Timeouts:RequestTimeout</c>, ...) with the values <c>socketkit</c>'s flags take: <c>30s</c>, <c>2m</c> or
/// <c>00:00:30</c>; <c>16KiB</c>, <c>1MiB</c> or bytes. Checked when the host starts; each problem is named with its key.
/// </summary>
public sealed class SocketKitServerOptions
{
    /// <summary>The configuration section servers are read from; a server's own is <c>SocketKit:Servers:NAME</c>.</summary>
    public const string SectionName = "SocketKit:Servers";

    /// <summary>
    /// Where to listen, at least one: <c>127.0.0.1:65432</c>, <c>[::1]:65432</c>, <c>0.0.0.0:65432</c>, <c>[::]:65432</c>
    /// (IPv4 too), or <c>unix:/run/app.sock</c>. Port 0 lets the system choose (the log says which).
    /// </summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>
    /// Every other setting, read from configuration by the keys of <see cref="ServerSettings.All"/>; what configuration
    /// leaves unset keeps its default. Code may change it after configuration: <c>o.Settings = o.Settings with { ... }</c>.
    /// </summary>
    public ServerSettings Settings { get; set; } = ServerSettings.Default;

    /// <summary>Serve only clients in these networks (CIDR or one address), as <see cref="Transport.Listening.AddressRules.Allow"/>; empty: every client.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Refuse clients in these networks (CIDR or one address), as <see cref="Transport.Listening.AddressRules.Deny"/>; wins over <see cref="Allow"/>.</summary>
    public List<string> Deny { get; set; } = [];

    /// <summary>Serve over TLS: set both paths. Null or empty: plain TCP.</summary>
    public SocketKitTlsFiles? Tls { get; set; }

    /// <summary>What configuration said that could not be read into <see cref="Settings"/>, one line per key.</summary>
    internal List<string> Problems { get; } = [];
}
