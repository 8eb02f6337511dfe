using System.Net.Security;
using SocketKit.Applications;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Support;

/// <summary>
/// Where a test server listens and how its clients reach it, so one suite runs over every transport:
/// IPv4 loopback, IPv6 loopback, a dual-stack "::" listener reached on 127.0.0.1, a Unix domain socket, and TLS
/// (over IPv4 loopback, with the certificate made at test time).
/// </summary>
/// <param name="name">The name a test case shows.</param>
/// <param name="listen">Makes the address a server listens on.</param>
/// <param name="host">The HOST a client is given to reach a server bound at the endpoint.</param>
/// <param name="tls">Whether servers serve TLS and clients speak it.</param>
public sealed class TestTransport(string name, Func<EndPoint> listen, Func<EndPoint, string> host, bool tls = false)
{
    public string Name { get; } = name;

    /// <summary>Whether servers serve TLS and clients speak it.</summary>
    public bool IsTls { get; } = tls;

    /// <summary>What a server of this transport serves: TLS with the test certificate, or null for plain bytes.</summary>
    public TlsServerOptions? ServerTls => IsTls ? new TlsServerOptions { Certificate = TestCertificates.Server } : null;

    /// <summary>What the library's clients are given to reach a server of this transport (TLS trusting the test certificate).</summary>
    public ClientOptions Client => IsTls ? new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestCertificates.Server] } } : new ClientOptions();

    public static TestTransport Ipv4 { get; } = new("IPv4", () => new IPEndPoint(IPAddress.Loopback, 0), _ => "127.0.0.1");

    public static TestTransport Ipv6 { get; } = new("IPv6", () => new IPEndPoint(IPAddress.IPv6Loopback, 0), _ => "::1");

    /// <summary>Listens on "::" and is reached over IPv4, as a dual-stack server is by an IPv4-only client.</summary>
    public static TestTransport DualStack { get; } = new("dual stack", () => new IPEndPoint(IPAddress.IPv6Any, 0), _ => "127.0.0.1");

    /// <summary>TLS over IPv4 loopback, reached as "localhost", the name the test certificate is for.</summary>
    public static TestTransport Tls { get; } = new("TLS", () => new IPEndPoint(IPAddress.Loopback, 0), _ => "localhost", tls: true);

    /// <summary>A socket file of its own per server, in a directory the test run owns.</summary>
    public static TestTransport Unix { get; } = new("Unix", () => new UnixDomainSocketEndPoint(NewSocketPath()), bound => EndPoints.Format(bound));

    /// <summary>The address to give <see cref="ServerOptions.EndPoint"/>: port 0 or a fresh socket path.</summary>
    public EndPoint ListenEndPoint() => listen();

    /// <summary>The HOST a client is given to reach <paramref name="server"/>: an address, or unix:PATH.</summary>
    public string Host(SocketServer server) => host(server.LocalEndPoint);

    /// <summary>The endpoint a raw socket connects to.</summary>
    public EndPoint ConnectEndPoint(SocketServer server) => server.LocalEndPoint switch
    {
        IPEndPoint ip => new IPEndPoint(IPAddress.TryParse(host(ip), out IPAddress? address) ? address : IPAddress.Loopback, ip.Port),
        EndPoint other => other,
    };

    /// <summary>A raw connection to <paramref name="server"/>: a socket, inside TLS when the transport is TLS.</summary>
    public async Task<RawConnection> ConnectAsync(SocketServer server)
    {
        Socket socket = await RawClient.ConnectAsync(ConnectEndPoint(server));
        if (!IsTls)
        {
            return new RawConnection(socket);
        }
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            using var cts = new CancellationTokenSource(RawClient.Timeout);
            await tls.AuthenticateAsClientAsync(Client.Tls!.ToSslOptions(host(server.LocalEndPoint)), cts.Token);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
        return new RawConnection(socket, tls);
    }

    /// <summary>Sends <paramref name="request"/> (in pieces of <paramref name="pieceSize"/> when given) and returns all the server sent before closing.</summary>
    public async Task<byte[]> ExchangeUntilCloseAsync(SocketServer server, byte[] request, int pieceSize = int.MaxValue, bool halfClose = false)
    {
        await using RawConnection connection = await ConnectAsync(server);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        for (int i = 0; i < request.Length; i += pieceSize)
        {
            await connection.SendAsync(request.AsMemory(i, Math.Min(pieceSize, request.Length - i)), cts.Token);
        }
        if (halfClose)
        {
            await connection.ShutdownSendAsync();
        }
        return await connection.ReadToEndAsync(cts.Token);
    }

    public override string ToString() => Name;

    /// <summary>Short on purpose: a socket path may hold at most 107 bytes.</summary>
    public static string NewSocketPath()
    {
        return Path.Combine(TestScratch.Directory, $"{Guid.NewGuid():N}"[..12] + ".sock");
    }
}
