using System.Net;
using System.Net.Sockets;

namespace SocketKit.Transport;

/// <summary>Turns the HOST and PORT a user typed into addresses, and addresses back into text.</summary>
public static class EndPoints
{
    /// <summary>The tutorial's host.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The tutorial's port.</summary>
    public const int DefaultPort = 65432;

    /// <summary>Writes an endpoint as people read it: 127.0.0.1:65432, [::1]:65432; IPv4-mapped IPv6 shown as IPv4.</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    /// <summary>True when <paramref name="host"/> could be an IP address or a DNS name at all.</summary>
    public static bool IsValidHost(string host) =>
        !string.IsNullOrWhiteSpace(host) && (IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) != UriHostNameType.Unknown);

    /// <summary>
    /// Resolves a host to its addresses, IPv4 first as the tutorial's AF_INET sockets expect.
    /// </summary>
    /// <exception cref="NetworkException">The name does not resolve.</exception>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }
        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            if (addresses.Length == 0)
            {
                throw new NetworkException(SocketErrorKind.HostNotFound, "resolve", host, $"could not resolve {host}: no addresses");
            }
            return [.. addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];
        }
        catch (SocketException ex)
        {
            throw NetworkException.From(ex, "resolve", host);
        }
    }

    /// <summary>Resolves to the first address, for binding a listener.</summary>
    public static async Task<IPEndPoint> ResolveOneAsync(string host, int port, CancellationToken cancellationToken = default) =>
        new((await ResolveAsync(host, cancellationToken))[0], port);
}
