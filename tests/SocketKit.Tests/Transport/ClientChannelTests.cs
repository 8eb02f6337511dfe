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
