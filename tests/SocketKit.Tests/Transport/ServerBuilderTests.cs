using System.Collections.Concurrent;
using System.Net.Security;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>The library's server builder: endpoints, workers, the PROXY protocol and TLS composed into one running group.</summary>
[Tier(TestTier.Socket)]
public class ServerBuilderTests
{
    private static readonly IPEndPoint SecondLoopback = new(IPAddress.Parse("127.0.0.2"), 0);

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task WorkersPerEndpointServeTlsBehindAProxyHeaderWithOneNumbering(EngineKind engine)
    {
        const int workers = 2, connectionsToFirst = 20, connectionsToSecond = 4;
        var seen = new ConcurrentBag<ConnectionInfo>();
        await using ServerGroup group = new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine, Loops = 1 })
            .AddEndPoint(SecondLoopback)
            .UseTls(new TlsServerOptions { Certificate = TestCertificates.Server })
            .WithWorkers(workers)
            .RequireProxyProtocol()
            .UseHandler(connection =>
            {
                seen.Add(connection);
                return new EchoHandler();
            })
            .Start();

        Assert.Equal(2, group.LocalEndPoints.Count);
        Assert.Equal(2 * workers, group.Servers.Count);
        // Each endpoint's workers share its port, which the system chose once for the first of them.
        Assert.All(group.Servers.Take(workers), s => Assert.Equal(group.LocalEndPoints[0], s.LocalEndPoint));
        Assert.All(group.Servers.Skip(workers), s => Assert.Equal(group.LocalEndPoints[1], s.LocalEndPoint));

        var expected = new List<IPEndPoint>();
        for (int i = 0; i < connectionsToFirst + connectionsToSecond; i++)
        {
            var endPoint = (IPEndPoint)group.LocalEndPoints[i < connectionsToFirst ? 0 : 1];
            var client = new IPEndPoint(IPAddress.Parse($"192.0.2.{i + 1}"), 40000 + i);
            expected.Add(client);
            string echoed = await ExchangeOverTlsAsync(endPoint,
                $"PROXY TCP4 {client.Address} {endPoint.Address} {client.Port} {endPoint.Port}\r\n", $"message {i}");
            Assert.Equal($"message {i}", echoed);
        }

        // The handler saw the client the PROXY header named, and the balancer's address beside it.
        Assert.Equal(expected.Select(e => e.ToString()).Order(), seen.Select(c => c.RemoteEndPoint.ToString()).Order());
        Assert.All(seen, c => Assert.Equal(IPAddress.Loopback, ((IPEndPoint)c.ProxyEndPoint!).Address));
        // One numbering across every listener of every endpoint.
        Assert.Equal(Enumerable.Range(1, expected.Count).Select(i => (long)i), seen.Select(c => c.Id).Order());
        // The kernel hashes each client's port: all of them on one worker would have odds of 2 in 2^20.
        Assert.All(group.Servers.Take(workers), s => Assert.InRange(s.Counters.ConnectionsAccepted, 1, connectionsToFirst - 1));
        Assert.Equal(connectionsToSecond, group.Servers.Skip(workers).Sum(s => s.Counters.ConnectionsAccepted));
    }

    [Fact]
    public async Task AppServerTakesTheBuildersCompositionAndRefusesAConnectionWithoutAProxyHeader()
    {
        await using AppServer server = new AppServer(new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) })
            .WithWorkers(2)
            .RequireProxyProtocol())
            .Start();
        Assert.Equal(2, server.Listeners.Servers.Count);
        var endPoint = (IPEndPoint)server.LocalEndPoint;
        ReferenceVector search = ReferenceVectors.Get("search-morpheus");

        byte[] header = Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.1 127.0.0.1 40000 {endPoint.Port}\r\n");
        Assert.Equal(search.Response, await RawClient.ExchangeUntilCloseAsync(endPoint, [.. header, .. search.Request]));
        // Without the header the request's own bytes are read as one, and refused: no answer, the connection closed.
        Assert.Empty(await RawClient.ExchangeUntilCloseAsync(endPoint, search.Request));
    }

    [Fact]
    public void WorkersCannotShareAUnixSocketAndAServerNeedsAHandler()
    {
        string path = Path.Combine(TestScratch.Directory, $"builder-{Guid.NewGuid():N}.sock");
        var unix = new ServerBuilder(new ServerOptions { EndPoint = new UnixDomainSocketEndPoint(path) }).WithWorkers(2).UseHandler(_ => new EchoHandler());
        Assert.Contains("2 workers cannot share the Unix socket", Assert.Throws<InvalidOperationException>(() => unix.Start()).Message);
        Assert.False(File.Exists(path));

        var noHandler = new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        Assert.Contains("UseHandler", Assert.Throws<InvalidOperationException>(() => noHandler.Start()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => noHandler.WithWorkers(ServerBuilder.MaxWorkers + 1));
    }

    [Fact]
    public async Task WhenAnEndpointCannotBeBoundTheOnesAlreadyBoundAreClosed()
    {
        using Socket taken = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var free = new IPEndPoint(IPAddress.Loopback, Ports.Free());
        var builder = new ServerBuilder(new ServerOptions { EndPoint = free }).AddEndPoint(taken.LocalEndPoint!).UseHandler(_ => new EchoHandler());

        Assert.Throws<NetworkException>(() => builder.Start());

        // The first endpoint was bound, then closed again: nothing listens there now.
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawClient.ConnectAsync(free));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private static async Task<string> ExchangeOverTlsAsync(IPEndPoint endPoint, string proxyHeader, string message)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        using Socket socket = await RawClient.ConnectAsync(endPoint);
        // As a balancer that passes TLS through sends it: the PROXY header in plain text, then the handshake.
        await socket.SendAsync(Encoding.ASCII.GetBytes(proxyHeader), timeout.Token);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString(),
        }, timeout.Token);
        byte[] request = Encoding.ASCII.GetBytes(message);
        await ssl.WriteAsync(request, timeout.Token);
        byte[] answer = new byte[Encoding.ASCII.GetByteCount(message)];
        await ssl.ReadExactlyAsync(answer, timeout.Token);
        return Encoding.ASCII.GetString(answer);
    }
}
