using SocketKit.Transport.ProxyProtocol;
using static SocketKit.Tests.Protocol.Proxy.ProxyFrames;

namespace SocketKit.Tests.Transport.ProxyProtocol;

[Tier(TestTier.Unit)]
public class ProxyProtocolHandlerTests
{
    private static readonly IPEndPoint Balancer = new(IPAddress.Loopback, 40000);
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 65432);
    private static readonly ConnectionInfo Accepted = new(7, Server, Balancer);

    /// <summary>Records what the application's handler was given.</summary>
    private sealed class Recorder : IConnectionHandler
    {
        public List<ConnectionInfo> Created { get; } = [];
        public List<byte> Received { get; } = [];
        public bool PeerClosed { get; private set; }

        public ConnectionPhase Phase { get; set; } = ConnectionPhase.Idle;

        public IConnectionHandler Create(ConnectionInfo connection)
        {
            Created.Add(connection);
            return this;
        }

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            Received.AddRange(data.ToArray());
            data = data.Slice(data.End);
            return NextStep.Receive;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
        {
            PeerClosed = true;
            return NextStep.CloseAfterSending;
        }
    }

    /// <summary>A PROXY handler in front of a <see cref="Recorder"/>, fed as an engine feeds it: each piece after what it left unread.</summary>
    private sealed class FedHandler
    {
        private byte[] _pending = [];

        public FedHandler() => Handler = new ProxyProtocolHandler(Accepted, Recorder.Create);

        public Recorder Recorder { get; } = new();

        public ProxyProtocolHandler Handler { get; }

        /// <summary>What the handler has left unread.</summary>
        public byte[] Pending => _pending;

        public NextStep Feed(ReadOnlySpan<byte> piece)
        {
            _pending = [.. _pending, .. piece];
            var data = new ReadOnlySequence<byte>(_pending);
            NextStep step = Handler.OnData(ref data, new ArrayBufferWriter<byte>());
            _pending = data.ToArray();
            return step;
        }

        /// <summary>The peer closes: the handler is given what it left unread.</summary>
        public NextStep PeerClosed() => Handler.OnPeerClosed(new ReadOnlySequence<byte>(_pending), new ArrayBufferWriter<byte>());
    }

    [Fact]
    public void HandlerCreatesTheApplicationsHandlerWithTheClientsAddressInEverySplit()
    {
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 56324);
        var frontend = new IPEndPoint(IPAddress.Parse("198.51.100.9"), 443);
        byte[] stream = [.. V2(1, 0x11, Addresses(client, frontend)), .. "request bytes"u8];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            var proxy = new FedHandler();
            foreach (ArraySegment<byte> piece in Splits.Pieces(stream, cuts))
            {
                Assert.Equal(NextStep.Receive, proxy.Feed(piece));
            }
            ConnectionInfo seen = Assert.Single(proxy.Recorder.Created);
            Assert.True(seen.RemoteEndPoint.Equals(client), split);
            Assert.True(seen.LocalEndPoint.Equals(frontend), split);
            Assert.True(Balancer.Equals(seen.ProxyEndPoint), split);
            Assert.Equal("192.0.2.7:56324", seen.Remote);
            Assert.Equal(Accepted.Id, seen.Id);
            Assert.Same(seen, proxy.Handler.Client);
            Assert.True("request bytes"u8.SequenceEqual(proxy.Recorder.Received.ToArray()), split);
        }
    }

    [Fact]
    public void HandlerKeepsTheConnectionsOwnAddressesForAV2LocalHeader()
    {
        var proxy = new FedHandler();
        proxy.Feed(V2(0, 0x00, []));
        ConnectionInfo seen = Assert.Single(proxy.Recorder.Created);
        Assert.Same(Accepted, seen);
        Assert.Null(seen.ProxyEndPoint);
    }

    [Fact]
    public void ThePhaseIsARequestFromTheStartUntilTheApplicationHasBytesThenTheApplications()
    {
        var proxy = new FedHandler();
        proxy.Recorder.Phase = ConnectionPhase.Content;
        ProxyProtocolHandler handler = proxy.Handler;
        Assert.Equal(ConnectionPhase.Request, handler.Phase); // The request timeout bounds the header and the first request together.
        byte[] header = V1("PROXY TCP4 192.0.2.7 192.0.2.8 1 2\r\n");
        proxy.Feed(header.AsSpan(0, 5));
        Assert.Equal(ConnectionPhase.Request, handler.Phase);
        proxy.Feed(header.AsSpan(5));
        Assert.Single(proxy.Recorder.Created);
        Assert.Equal(ConnectionPhase.Request, handler.Phase);
        proxy.Feed("x"u8);
        Assert.Equal(ConnectionPhase.Content, handler.Phase);
        proxy.Recorder.Phase = ConnectionPhase.Idle;
        Assert.Equal(ConnectionPhase.Idle, handler.Phase);
    }

    [Fact]
    public void ARefusedConnectionIsIdle()
    {
        var proxy = new FedHandler();
        Assert.Equal(NextStep.CloseAfterSending, proxy.Feed("GET / HTTP/1.1\r\n"u8));
        Assert.Equal(ConnectionPhase.Idle, proxy.Handler.Phase);
    }

    [Fact]
    public void HandlerRefusesAConnectionWithoutAHeaderAndNeverCreatesTheApplicationsHandler()
    {
        var proxy = new FedHandler();
        Assert.Equal(NextStep.CloseAfterSending, proxy.Feed(Frames.Raw(Frames.Header(length: 2), "{}"u8.ToArray())));
        Assert.Empty(proxy.Pending);
        Assert.Empty(proxy.Recorder.Created);
        Assert.Equal(NextStep.CloseAfterSending, proxy.PeerClosed());
        Assert.Empty(proxy.Recorder.Created);
    }

    [Fact]
    public void HandlerClosesAConnectionThatEndsInsideTheHeader()
    {
        var proxy = new FedHandler();
        Assert.Equal(NextStep.Receive, proxy.Feed(V1("PROXY TCP4 192.0.2.7")));
        Assert.Equal(NextStep.CloseAfterSending, proxy.PeerClosed());
        Assert.Empty(proxy.Recorder.Created);
    }

    [Fact]
    public void HandlerPassesTheEndOfTheStreamToTheApplicationOnceTheHeaderIsRead()
    {
        var proxy = new FedHandler();
        proxy.Feed(V1("PROXY TCP6 2001:db8::1 ::1 1 2\r\n"));
        Assert.Equal(NextStep.CloseAfterSending, proxy.PeerClosed());
        Assert.True(proxy.Recorder.PeerClosed);
        Assert.Equal("[2001:db8::1]:1", Assert.Single(proxy.Recorder.Created).Remote);
    }
}
