using System.Buffers;
using System.Net;
using SocketKit.Tests.Protocol.Proxy;
using SocketKit.Transport;
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

    private static NextStep Feed(IConnectionHandler handler, ref byte[] pending, ReadOnlySpan<byte> piece)
    {
        pending = [.. pending, .. piece];
        var data = new ReadOnlySequence<byte>(pending);
        NextStep step = handler.OnData(ref data, new ArrayBufferWriter<byte>());
        pending = data.ToArray();
        return step;
    }

    [Fact]
    public void HandlerCreatesTheApplicationsHandlerWithTheClientsAddressInEverySplit()
    {
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 56324);
        var frontend = new IPEndPoint(IPAddress.Parse("198.51.100.9"), 443);
        byte[] stream = [.. V2(1, 0x11, Addresses(client, frontend)), .. "request bytes"u8];
        foreach ((string split, int[] cuts) in Support.Splits.Of(stream.Length))
        {
            var recorder = new Recorder();
            var handler = new ProxyProtocolHandler(Accepted, recorder.Create);
            byte[] pending = [];
            int start = 0;
            foreach (int end in cuts.Append(stream.Length))
            {
                Assert.Equal(NextStep.Receive, Feed(handler, ref pending, stream.AsSpan(start, end - start)));
                start = end;
            }
            ConnectionInfo seen = Assert.Single(recorder.Created);
            Assert.True(seen.RemoteEndPoint.Equals(client), split);
            Assert.True(seen.LocalEndPoint.Equals(frontend), split);
            Assert.True(Balancer.Equals(seen.ProxyEndPoint), split);
            Assert.Equal("192.0.2.7:56324", seen.Remote);
            Assert.Equal(Accepted.Id, seen.Id);
            Assert.Same(seen, handler.Client);
            Assert.True("request bytes"u8.SequenceEqual(recorder.Received.ToArray()), split);
        }
    }

    [Fact]
    public void HandlerKeepsTheConnectionsOwnAddressesForAV2LocalHeader()
    {
        var recorder = new Recorder();
        var handler = new ProxyProtocolHandler(Accepted, recorder.Create);
        byte[] pending = [];
        Feed(handler, ref pending, V2(0, 0x00, []));
        ConnectionInfo seen = Assert.Single(recorder.Created);
        Assert.Same(Accepted, seen);
        Assert.Null(seen.ProxyEndPoint);
    }

    [Fact]
    public void HandlerRefusesAConnectionWithoutAHeaderAndNeverCreatesTheApplicationsHandler()
    {
        var recorder = new Recorder();
        var handler = new ProxyProtocolHandler(Accepted, recorder.Create);
        byte[] pending = [];
        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, Support.Frames.Raw(Support.Frames.Header(length: 2), "{}"u8.ToArray())));
        Assert.Empty(pending);
        Assert.Empty(recorder.Created);
        Assert.Equal(NextStep.CloseAfterSending, handler.OnPeerClosed(ReadOnlySequence<byte>.Empty, new ArrayBufferWriter<byte>()));
        Assert.Empty(recorder.Created);
    }

    [Fact]
    public void HandlerClosesAConnectionThatEndsInsideTheHeader()
    {
        var recorder = new Recorder();
        var handler = new ProxyProtocolHandler(Accepted, recorder.Create);
        byte[] pending = [];
        Assert.Equal(NextStep.Receive, Feed(handler, ref pending, V1("PROXY TCP4 192.0.2.7")));
        Assert.Equal(NextStep.CloseAfterSending, handler.OnPeerClosed(new ReadOnlySequence<byte>(pending), new ArrayBufferWriter<byte>()));
        Assert.Empty(recorder.Created);
    }

    [Fact]
    public void HandlerPassesTheEndOfTheStreamToTheApplicationOnceTheHeaderIsRead()
    {
        var recorder = new Recorder();
        var handler = new ProxyProtocolHandler(Accepted, recorder.Create);
        byte[] pending = [];
        Feed(handler, ref pending, V1("PROXY TCP6 2001:db8::1 ::1 1 2\r\n"));
        Assert.Equal(NextStep.CloseAfterSending, handler.OnPeerClosed(ReadOnlySequence<byte>.Empty, new ArrayBufferWriter<byte>()));
        Assert.True(recorder.PeerClosed);
        Assert.Equal("[2001:db8::1]:1", Assert.Single(recorder.Created).Remote);
    }
}
