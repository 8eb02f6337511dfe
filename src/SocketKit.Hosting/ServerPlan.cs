using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketKit.Protocol;
using SocketKit.Transport;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Hosting;

/// <summary>
/// A server's settings turned into what the library takes (endpoints, <see cref="ServerOptions"/>, the protocol's
/// limits), or the list of what is wrong with them, each named by its configuration key (the settings themselves are
/// read by <see cref="ServerSettingsReader"/>, which names its own). The validator and the hosted
/// server share it, so what validation accepts is exactly what starts; the library's <see cref="ServerBuilder"/> composes it.
/// </summary>
internal sealed class ServerPlan
{
    private ServerPlan(IReadOnlyList<EndPoint> endPoints, ServerOptions template, ProtocolLimits protocol, int workers, bool proxyProtocol)
    {
        EndPoints = endPoints;
        Template = template;
        Protocol = protocol;
        Workers = workers;
        ProxyProtocol = proxyProtocol;
    }

    /// <summary>Where to listen, in configuration order.</summary>
    public IReadOnlyList<EndPoint> EndPoints { get; }

    /// <summary>Everything but the endpoint, shared by every listener.</summary>
    public ServerOptions Template { get; }

    /// <summary>What a request may hold, for the application protocol's handlers.</summary>
    public ProtocolLimits Protocol { get; }

    /// <summary>Listeners per IP endpoint.</summary>
    public int Workers { get; }

    /// <summary>Whether connections must start with a PROXY header.</summary>
    public bool ProxyProtocol { get; }

    /// <summary>The plan as the library composes it: every endpoint, the workers, the PROXY protocol; the handler is the caller's to add.</summary>
    public ServerBuilder CreateBuilder(ServerOptions template)
    {
        var builder = new ServerBuilder(template with { EndPoint = EndPoints[0] }).WithWorkers(Workers).RequireProxyProtocol(ProxyProtocol);
        foreach (EndPoint endPoint in EndPoints.Skip(1))
        {
            builder.AddEndPoint(endPoint);
        }
        return builder;
    }

    /// <summary>Builds the plan, or returns null with every problem added to <paramref name="errors"/>.</summary>
    public static ServerPlan? TryBuild(string name, SocketKitServerOptions options, List<string> errors)
    {
        string key = $"{SocketKitServerOptions.SectionName}:{name}";
        var endPoints = new List<EndPoint>();
        if (options.Endpoints.Count == 0)
        {
            errors.Add($"{key}:Endpoints: no endpoint to listen on; set {key}:Endpoints:0 to 127.0.0.1:65432, [::1]:65432 or unix:/run/{name}.sock");
        }
        for (int i = 0; i < options.Endpoints.Count; i++)
        {
            if (TryParseEndPoint(options.Endpoints[i], out EndPoint? endPoint, out string? why))
            {
                endPoints.Add(endPoint);
            }
            else
            {
                errors.Add($"{key}:Endpoints:{i}: {why}");
            }
        }

        errors.AddRange(options.Problems);
        ServerSettings settings = options.Settings;
        if (settings.Workers > 1 && endPoints.Any(e => e is UnixDomainSocketEndPoint))
        {
            errors.Add($"{key}:Workers: {settings.Workers} listeners cannot share a Unix socket; use 1, or IP endpoints only");
        }
        ServerOptions template = settings.ToOptions(new IPEndPoint(IPAddress.Loopback, 0));
        template = template with { ClientAddresses = new AddressRules { Allow = Networks(options.Allow, $"{key}:Allow", errors), Deny = Networks(options.Deny, $"{key}:Deny", errors) } };
        if (options.Tls is { } tls && (tls.CertificatePath is not null || tls.KeyPath is not null))
        {
            if (string.IsNullOrWhiteSpace(tls.CertificatePath) || string.IsNullOrWhiteSpace(tls.KeyPath))
            {
                errors.Add($"{key}:Tls: set both CertificatePath and KeyPath (PEM files)");
            }
            else
            {
                try
                {
                    template = template with
                    {
                        Tls = TlsServerOptions.FromPemFiles(tls.CertificatePath, tls.KeyPath, tls.ClientCertificateAuthorityPath, tls.ClientCertificateOptional),
                    };
                }
                catch (TlsSetupException ex)
                {
                    errors.Add($"{key}:Tls: {ex.Message}");
                }
            }
        }
        return errors.Count == 0 ? new ServerPlan(endPoints, template, settings.Protocol, settings.Workers, settings.ProxyProtocol) : null;
    }

    /// <summary>
    /// Reads <c>HOST:PORT</c> with an IP literal (IPv6 in brackets) or <c>localhost</c>, or <c>unix:PATH</c>.
    /// Names other than localhost are not resolved: what a server binds should not depend on DNS at start.
    /// </summary>
    internal static bool TryParseEndPoint(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EndPoint? endPoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? why)
    {
        endPoint = null;
        text = text.Trim();
        if (Transport.Listening.EndPoints.TryGetUnixPath(text, out string? path))
        {
            if (!Transport.Listening.EndPoints.IsValidUnixPath(path))
            {
                why = $"'{text}' is not a usable Unix socket path (empty, or longer than {Transport.Listening.EndPoints.MaxUnixPathBytes} bytes)";
                return false;
            }
            endPoint = new UnixDomainSocketEndPoint(path);
            why = null;
            return true;
        }
        int colon = text.LastIndexOf(':');
        bool hasPort = colon > 0 && (text[0] != '[' || text[colon - 1] == ']');
        string host = hasPort ? text[..colon] : text;
        if (hasPort && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= IPEndPoint.MaxPort)
        {
            IPAddress? address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6
                : !host.Contains(':') && IPAddress.TryParse(host, out IPAddress? v4) && v4.AddressFamily == AddressFamily.InterNetwork ? v4
                : null;
            if (address is not null)
            {
                endPoint = new IPEndPoint(address, port);
                why = null;
                return true;
            }
        }
        why = $"'{text}' is not an endpoint; write HOST:PORT with an IP address (127.0.0.1:65432, [::1]:65432, localhost:65432) or unix:/path/to.sock";
        return false;
    }

    private static IPNetwork[] Networks(List<string> texts, string key, List<string> errors)
    {
        var networks = new List<IPNetwork>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            try
            {
                networks.Add(AddressRules.ParseNetwork(texts[i].Trim()));
            }
            catch (FormatException ex)
            {
                errors.Add($"{key}:{i}: {ex.Message}");
            }
        }
        return [.. networks];
    }

    private static T Invalid<T>(T current, string error, List<string> errors)
    {
        errors.Add(error);
        return current;
    }
}
