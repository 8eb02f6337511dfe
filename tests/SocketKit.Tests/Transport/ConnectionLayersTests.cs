using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Transport.ProxyProtocol;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>
/// How a connection's byte layers are composed from the server's options: none for plain bytes, so a plain
/// connection's bytes go straight between the socket and its handler; otherwise wire first, the PROXY header, then
/// TLS, then the options' own layers in their order.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ConnectionLayersTests
{
    private static readonly ConnectionInfo Accepted = new(1, new IPEndPoint(IPAddress.Loopback, 65432), new IPEndPoint(IPAddress.Loopback, 40000));

    private static ServerOptions Plain => new() { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) };

    [Fact]
    public void APlainConnectionHasNoLayer()
    {
        Assert.Empty(ConnectionLayers.Compose(Plain, Accepted, NullLogger.Instance));
    }

    [Fact]
    public void TheLayersGoWireFirstThePROXYHeaderThenTlsThenTheOptionsOwnInTheirOrder()
    {
        ServerOptions options = Plain with
        {
            ProxyHeaderBytes = 536,
            Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
            ByteLayers = [_ => new Marker(1), _ => new Marker(2)],
        };
        ByteLayer[] layers = ConnectionLayers.Compose(options, Accepted, NullLogger.Instance);
        try
        {
            Assert.Collection(layers,
                layer => Assert.IsType<ProxyHeaderLayer>(layer),
                layer => Assert.IsType<TlsLayer>(layer),
                layer => Assert.Equal(1, Assert.IsType<Marker>(layer).Number),
                layer => Assert.Equal(2, Assert.IsType<Marker>(layer).Number));
        }
        finally
        {
            foreach (ByteLayer layer in layers)
            {
                layer.Dispose();
            }
        }
    }

    [Fact]
    public void EachConnectionGetsLayersOfItsOwnMadeForItAsAccepted()
    {
        var seen = new List<ConnectionInfo>();
        ServerOptions options = Plain with { ByteLayers = [connection => { seen.Add(connection); return new Marker(0); }] };
        ByteLayer first = Assert.Single(ConnectionLayers.Compose(options, Accepted, NullLogger.Instance));
        ByteLayer second = Assert.Single(ConnectionLayers.Compose(options, Accepted, NullLogger.Instance));
        Assert.NotSame(first, second);
        Assert.Equal([Accepted, Accepted], seen);
    }

    private sealed class Marker(int number) : ByteLayer
    {
        public int Number => number;
    }
}
