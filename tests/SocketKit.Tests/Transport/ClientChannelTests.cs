using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>
/// A client loop's channel over a real socket against a server of every engine: over TLS the one <see cref="TlsPump"/>
/// type is at both ends (the client role here, the server role in the server's connection driver), over plain TCP the
/// channel moves the same plaintext. (Both roles without a socket: <see cref="TlsPumpTests"/>.)
/// </summary>
[Tier(TestTier.Socket)]
public class ClientChannelTests
{
    public static TheoryData<EngineKind, bool> EnginesAndTls()
    {
        var data = new TheoryData<EngineKind, bool>();
        foreach (EngineKind engine in Enum.GetValues<EngineKind>())
        {
            data.Add(engine, false);
            data.Add(engine, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EnginesAndTls))]
    public async Task TheChannelGetsEveryByteBackFromAnEchoServerInPiecesLargerThanARecord(EngineKind engine, bool tls)
    {
        TestTransport transport = tls ? TestTransport.Tls : TestTransport.Ipv4;
        await using SocketServer server = TestServers.Echo(engine, transport);
        // Several TLS records each way, and more than a socket buffer takes at once.
        byte[] sent = RandomNumberGenerator.GetBytes(300_000);
        byte[] received = await Task.Run(() => Exchange(transport.ConnectEndPoint(server), tls, sent)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(sent.Length, received.Length);
        Assert.True(sent.AsSpan().SequenceEqual(received));
    }

    public static TheoryData<int> PieceSizes => [1, 3, 100, 5000, int.MaxValue];

    [Theory]
    [MemberData(nameof(PieceSizes))]
    public void ACallerThatMovesTheWireBytesItselfGetsTheSameTlsInAnySplit(int piece)
    {
        // The way an awaiting client (AppClient) uses the channel: it does the socket's I/O, so the socket here is
        // never connected, and a server-role pump in memory stands for the server.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var channel = new ClientChannel(socket, TlsPump.ForClient(new TlsClientOptions { TrustedRoots = [TestCertificates.Server] }, "localhost"),
            new IPEndPoint(IPAddress.Loopback, 1));
        using TlsPump server = TlsPump.ForServer(new TlsServerOptions { Certificate = TestCertificates.Server });
        var received = new List<byte>();
        // Written before the handshake is over: it waits in the channel and goes out encrypted once it is.
        byte[] request = RandomNumberGenerator.GetBytes(40_000);
        channel.Write(request);

        for (int round = 0; round < 10 && (!channel.IsOpen || !server.IsAuthenticated); round++)
        {
            ToServer(channel, server, piece);
            Assert.NotEqual(ChannelRead.HandshakeFailed, ToClient(server, channel, piece, received));
        }
        Assert.True(channel.IsOpen && !channel.IsHandshaking, channel.HandshakeFailure?.ToString());
        Assert.True(server.IsAuthenticated, server.HandshakeFailure?.ToString());
        ToServer(channel, server, piece);
        Assert.Equal(request, ReadAll(server));

        byte[] response = RandomNumberGenerator.GetBytes(20_000);
        server.Write(response);
        Assert.Equal(ChannelRead.Data, ToClient(server, channel, piece, received));
        Assert.Equal(response, received);

        server.Close(); // close_notify: the end of the server's stream, before any FIN.
        Assert.Equal(ChannelRead.Ended, ToClient(server, channel, piece, received));
        Assert.Equal(response.Length, received.Count);
    }

    [Fact]
    public void OverPlainTcpTheWireBytesAreThePlaintextAndAnEmptyReadIsTheEnd()
    {
        using var channel = new ClientChannel(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), tls: null, new IPEndPoint(IPAddress.Loopback, 1));
        channel.Write("Hello, "u8.ToArray());
        channel.Write("world"u8.ToArray());
        var sent = new List<byte>();
        while (channel.NextWire() is { IsEmpty: false } next)
        {
            int taken = Math.Min(3, next.Length); // A socket that takes three bytes at a time.
            sent.AddRange(next.Span[..taken].ToArray());
            channel.WireSent(taken);
        }
        Assert.Equal("Hello, world"u8.ToArray(), sent);
        Assert.False(channel.HasPending);

        var received = new List<byte>();
        Assert.Equal(ChannelRead.Data, channel.ReceiveWire("back"u8.ToArray(), received, static (bytes, into) => into.AddRange(bytes)));
        Assert.Equal(ChannelRead.Ended, channel.ReceiveWire(ReadOnlyMemory<byte>.Empty, received, static (bytes, into) => into.AddRange(bytes)));
        Assert.Equal("back"u8.ToArray(), received);
    }

    /// <summary>What the channel has for the wire goes to the server's pump, in pieces of at most <paramref name="piece"/> bytes.</summary>
    private static void ToServer(ClientChannel channel, TlsPump server, int piece)
    {
        while (channel.NextWire() is { IsEmpty: false } next)
        {
            int n = Math.Min(piece, next.Length);
            server.Feed(next.Span[..n]);
            channel.WireSent(n);
        }
    }

    /// <summary>What the server's pump has for the wire goes to the channel in pieces; the last piece's verdict.</summary>
    private static ChannelRead ToClient(TlsPump server, ClientChannel channel, int piece, List<byte> received)
    {
        ChannelRead last = ChannelRead.WouldBlock;
        while (server.OutgoingCount > 0)
        {
            int n = Math.Min(piece, server.OutgoingCount);
            byte[] bytes = server.Outgoing[..n].ToArray();
            server.Consume(n);
            last = channel.ReceiveWire(bytes, received, static (plaintext, into) => into.AddRange(plaintext));
        }
        return last;
    }

    private static byte[] ReadAll(TlsPump pump)
    {
        var received = new List<byte>();
        while (pump.TryRead(out ReadOnlyMemory<byte> piece))
        {
            received.AddRange(piece.Span);
        }
        return [.. received];
    }

    /// <summary>A readiness loop of one connection, on one thread as the pump requires: connect, handshake, send, read back, close.</summary>
    private static byte[] Exchange(EndPoint endPoint, bool tls, byte[] message)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        TlsPump? pump = tls ? TlsPump.ForClient(new TlsClientOptions { TrustedRoots = [TestCertificates.Server] }, "localhost") : null;
        using var channel = new ClientChannel(socket, pump);
        using var selector = new SocketKit.Transport.Readiness.Selector<ClientChannel>();
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
        }
        selector.Register(socket, SocketKit.Transport.Readiness.SelectorEvents.Read | SocketKit.Transport.Readiness.SelectorEvents.Write, channel);
        var received = new List<byte>();
        byte[] buffer = new byte[16 * 1024];
        bool written = false;
        var limit = Stopwatch.StartNew();
        while (received.Count < message.Length)
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(30), $"{received.Count} of {message.Length} bytes back after {limit.Elapsed}");
            foreach ((_, SocketKit.Transport.Readiness.SelectorEvents mask) in selector.Select(TimeSpan.FromMilliseconds(100)).ToList())
            {
                if ((mask & SocketKit.Transport.Readiness.SelectorEvents.Read) != 0)
                {
                    ChannelRead read = channel.Receive(buffer, received, static (bytes, into) => into.AddRange(bytes));
                    Assert.True(read is ChannelRead.Data or ChannelRead.WouldBlock, $"{read}: {channel.HandshakeFailure}");
                }
                if (channel.IsOpen && !written)
                {
                    Assert.False(channel.IsHandshaking);
                    channel.Write(message);
                    written = true;
                }
                bool pending = channel.Flush();
                selector.Modify(socket, pending
                    ? SocketKit.Transport.Readiness.SelectorEvents.Read | SocketKit.Transport.Readiness.SelectorEvents.Write
                    : SocketKit.Transport.Readiness.SelectorEvents.Read);
            }
        }
        Assert.Equal(tls, channel.Tls is { IsAuthenticated: true });
        channel.Close();
        return [.. received];
    }
}
