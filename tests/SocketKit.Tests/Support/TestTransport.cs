using System.Net;
using System.Net.Sockets;
using SocketKit.Transport;

namespace SocketKit.Tests.Support;

/// <summary>
/// Where a test server listens and how its clients reach it, so one suite runs over every transport:
/// IPv4 loopback, IPv6 loopback, a dual-stack "::" listener reached on 127.0.0.1, and a Unix domain socket.
/// </summary>
public sealed class TestTransport
{
    private readonly Func<EndPoint> _listen;
    private readonly Func<EndPoint, string> _host;

    private TestTransport(string name, Func<EndPoint> listen, Func<EndPoint, string> host)
    {
        Name = name;
        _listen = listen;
        _host = host;
    }

    public string Name { get; }

    public static TestTransport Ipv4 { get; } = new("IPv4", () => new IPEndPoint(IPAddress.Loopback, 0), _ => "127.0.0.1");

    public static TestTransport Ipv6 { get; } = new("IPv6", () => new IPEndPoint(IPAddress.IPv6Loopback, 0), _ => "::1");

    /// <summary>Listens on "::" and is reached over IPv4, as a dual-stack server is by an IPv4-only client.</summary>
    public static TestTransport DualStack { get; } = new("dual stack", () => new IPEndPoint(IPAddress.IPv6Any, 0), _ => "127.0.0.1");

    /// <summary>A socket file of its own per server, in a directory the test run owns.</summary>
    public static TestTransport Unix { get; } = new("Unix", () => new UnixDomainSocketEndPoint(NewSocketPath()), bound => EndPoints.Format(bound));

    /// <summary>The address to give <see cref="ServerOptions.EndPoint"/>: port 0 or a fresh socket path.</summary>
    public EndPoint ListenEndPoint() => _listen();

    /// <summary>The HOST a client is given to reach <paramref name="server"/>: an address, or unix:PATH.</summary>
    public string Host(SocketServer server) => _host(server.LocalEndPoint);

    /// <summary>The endpoint a raw socket connects to.</summary>
    public EndPoint ConnectEndPoint(SocketServer server) => server.LocalEndPoint switch
    {
        IPEndPoint ip => new IPEndPoint(IPAddress.Parse(_host(ip)), ip.Port),
        EndPoint other => other,
    };

    public override string ToString() => Name;

    /// <summary>Short on purpose: a socket path may hold at most 107 bytes.</summary>
    public static string NewSocketPath()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sk-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $"{Guid.NewGuid():N}"[..12] + ".sock");
    }
}
