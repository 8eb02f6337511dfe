namespace SocketKit.Transport.Listening;

/// <summary>Turns the HOST and PORT a user typed into addresses, and addresses back into text.</summary>
public static class EndPoints
{
    /// <summary>The tutorial's host.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The tutorial's port.</summary>
    public const int DefaultPort = 65432;

    /// <summary>What a HOST starts with to name a Unix domain socket instead: <c>unix:/run/app.sock</c>. Such a host takes no port.</summary>
    public const string UnixPrefix = "unix:";

    /// <summary>
    /// The longest Unix socket path the kernel takes: sun_path is 108 bytes with the terminating NUL (Linux).
    /// </summary>
    public const int MaxUnixPathBytes = 107;

    /// <summary>Writes an endpoint as people read it: 127.0.0.1:65432, [::1]:65432, unix:/run/app.sock; IPv4-mapped IPv6 shown as IPv4.</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        // A connecting Unix socket is usually unbound, so the server sees a peer without a path.
        UnixDomainSocketEndPoint unix => UnixPrefix + (string.IsNullOrEmpty(unix.ToString()) ? "(unnamed)" : unix.ToString()),
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endPoint.ToString() ?? "?",
    };

    /// <summary>True when <paramref name="host"/> could be an IP address or a DNS name at all.</summary>
    public static bool IsValidHost(string host) =>
        !string.IsNullOrWhiteSpace(host)
        && (TryGetUnixPath(host, out string? path) ? IsValidUnixPath(path)
            : IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) != UriHostNameType.Unknown);

    /// <summary>True when <paramref name="host"/> is <c>unix:PATH</c>; <paramref name="path"/> is then PATH.</summary>
    public static bool TryGetUnixPath(string host, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? path)
    {
        path = host.StartsWith(UnixPrefix, StringComparison.Ordinal) ? host[UnixPrefix.Length..] : null;
        return path is not null;
    }

    /// <summary>True when the kernel can take <paramref name="path"/> as a Unix socket's address: not empty, no NUL, at most <see cref="MaxUnixPathBytes"/> bytes.</summary>
    public static bool IsValidUnixPath(string path) =>
        path.Length > 0 && !path.Contains('\0') && System.Text.Encoding.UTF8.GetByteCount(path) <= MaxUnixPathBytes;

    /// <summary>
    /// Every endpoint <paramref name="host"/> names, in the order to try them: a Unix socket (port ignored),
    /// an IP literal, or each address a host name resolves to, IPv4 first.
    /// </summary>
    /// <exception cref="NetworkException">The name does not resolve.</exception>
    public static async Task<EndPoint[]> ResolveAllAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        if (TryGetUnixPath(host, out string? path))
        {
            return [new UnixDomainSocketEndPoint(path)];
        }
        return [.. (await ResolveAsync(host, cancellationToken)).Select(a => (EndPoint)new IPEndPoint(a, port))];
    }

    /// <summary>The endpoint a server binds: the Unix socket, or the first address <paramref name="host"/> resolves to.</summary>
    /// <exception cref="NetworkException">The name does not resolve.</exception>
    public static async Task<EndPoint> ResolveListenAsync(string host, int port, CancellationToken cancellationToken = default) =>
        (await ResolveAllAsync(host, port, cancellationToken))[0];

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
