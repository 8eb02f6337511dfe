namespace SocketKit.Tests.Cli;

/// <summary>
/// socketkit nc in a process of its own, its standard input and output raw byte streams: random binary (NUL bytes
/// included) through an echo server both ways, over TCP, a Unix socket and TLS; through a listener; nc to nc over TLS.
/// </summary>
[Tier(TestTier.Socket)]
public class NcCommandTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Transports => ["IPv4", "Unix", "TLS"];

    private static TestTransport TransportNamed(string name) => name switch
    {
        "Unix" => TestTransport.Unix,
        "TLS" => TestTransport.Tls,
        _ => TestTransport.Ipv4,
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RandomBinaryGoesThroughAnEchoServerAndComesBackWhole(string name)
    {
        TestTransport transport = TransportNamed(name);
        await using SocketServer server = TestServers.Echo(EngineKind.Select, transport);
        byte[] sent = RandomBytes(1024 * 1024);
        string[] target = server.LocalEndPoint is IPEndPoint ? [transport.Host(server), server.Port().ToString()] : [transport.Host(server)];
        string[] tls = transport.IsTls ? ["--tls-ca", TestCertificates.CertificatePath] : [];
        using RawCliProcess nc = RawCliProcess.Start(["nc", .. target, .. tls]);
        Task writing = nc.WriteAllAndCloseAsync(sent);
        byte[] received = await nc.ReadAllAsync();
        await writing;
        int exitCode = await nc.ExitAsync();
        Assert.True(exitCode == 0, $"exit {exitCode}: {nc.Error}");
        Assert.True(sent.AsSpan().SequenceEqual(received), $"{received.Length:N0} bytes came back of {sent.Length:N0}, or they differ");
        Assert.Contains("1,048,576 bytes sent, 1,048,576 received;", nc.Error);
        Assert.Contains(transport.IsTls ? "(TLS)" : "Connected to ", nc.Error);
    }

    [Fact]
    public async Task RandomBinaryGoesThroughAListenerBothWays()
    {
        using RawCliProcess nc = RawCliProcess.Start(["nc", "-l", "127.0.0.1", "0"]);
        int port = await nc.ListeningPortAsync();
        byte[] toPeer = RandomBytes(300_000), fromPeer = RandomBytes(200_000);
        using Socket peer = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Bound);
        Task writing = nc.WriteAllAndCloseAsync(toPeer);
        Task peerSending = Task.Run(async () =>
        {
            await peer.SendAsync(fromPeer);
            peer.Shutdown(SocketShutdown.Send);
        });
        byte[] got = await ReadToEndAsync(peer); // nc half-closes at the end of its input.
        await Task.WhenAll(writing, peerSending).WaitAsync(Bound);
        byte[] printed = await nc.ReadAllAsync();
        Assert.Equal(0, await nc.ExitAsync());
        Assert.True(toPeer.AsSpan().SequenceEqual(got), $"the peer got {got.Length:N0} bytes of {toPeer.Length:N0}, or they differ");
        Assert.True(fromPeer.AsSpan().SequenceEqual(printed), $"nc printed {printed.Length:N0} bytes of {fromPeer.Length:N0}, or they differ");
        Assert.Matches(@"Connection from 127\.0\.0\.1:\d+", nc.Error);
    }

    [Fact]
    public async Task NcToANcListenerOverTlsCarriesRandomBinaryBothWays()
    {
        using RawCliProcess listener = RawCliProcess.Start(["nc", "-l", "127.0.0.1", "0", "--tls-cert", TestCertificates.CertificatePath, "--tls-key", TestCertificates.KeyPath]);
        int port = await listener.ListeningPortAsync();
        Assert.Contains("(TLS)", listener.Error);
        using RawCliProcess client = RawCliProcess.Start(["nc", "localhost", port.ToString(), "--tls-ca", TestCertificates.CertificatePath]);
        byte[] up = RandomBytes(100_000), down = RandomBytes(150_000);
        Task[] writing = [client.WriteAllAndCloseAsync(up), listener.WriteAllAndCloseAsync(down)];
        Task<byte[]> atListener = listener.ReadAllAsync(), atClient = client.ReadAllAsync();
        await Task.WhenAll(writing).WaitAsync(Bound);
        byte[] listenerPrinted = await atListener, clientPrinted = await atClient;
        Assert.True(up.AsSpan().SequenceEqual(listenerPrinted), "the listener printed other bytes than the client sent");
        Assert.True(down.AsSpan().SequenceEqual(clientPrinted), "the client printed other bytes than the listener sent");
        Assert.Equal((0, 0), (await listener.ExitAsync(), await client.ExitAsync()));
    }

    [Fact]
    public async Task HexDumpsBothDirectionsAsHexdumpDoes()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        using RawCliProcess nc = RawCliProcess.Start(["nc", "127.0.0.1", server.Port().ToString(), "--hex"]);
        await nc.WriteAllAndCloseAsync("Hello, world\n"u8.ToArray());
        Assert.Equal("Hello, world\n"u8.ToArray(), await nc.ReadAllAsync());
        Assert.Equal(0, await nc.ExitAsync());
        const string Dump = "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a           |Hello, world.|\n0000000d\n";
        Assert.Contains("> sent 13 bytes\n" + Dump, nc.Error);
        Assert.Contains("< received 13 bytes\n" + Dump, nc.Error);
    }

    [Fact]
    public async Task ARefusedConnectionIsSaidInWordsAndExitsOneAsNcatDoes()
    {
        using HeldPort held = Ports.Hold();
        var r = await Support.Cli.RunExpectingAsync(1, "nc", "127.0.0.1", held.Port.ToString());
        Assert.Contains($"connection refused: nothing is listening on 127.0.0.1:{held.Port}", r.Error);
    }

    [Theory]
    [InlineData("nc needs a HOST and a PORT to connect to (or unix:PATH).", "nc")]
    [InlineData("nc needs a PORT after 127.0.0.1 (or unix:PATH instead of both).", "nc", "127.0.0.1")]
    [InlineData("'0' is not a port to connect to: use 1 to 65535.", "nc", "127.0.0.1", "0")]
    [InlineData("nc -l needs a PORT (or unix:PATH) to listen on.", "nc", "-l")]
    [InlineData("unexpected argument '5'.", "nc", "unix:/tmp/x.sock", "5")]
    [InlineData("--tls is a connecting option: with -l, serve TLS with --tls-cert and --tls-key.", "nc", "-l", "5000", "--tls")]
    [InlineData("--tls-cert is a listening option: give -l to listen, or --tls / --tls-ca to connect over TLS.", "nc", "127.0.0.1", "5000", "--tls-cert", "c.pem", "--tls-key", "k.pem")]
    public async Task AWrongCommandLineIsSaidInWordsAndExitsTwo(string words, params string[] args)
    {
        var r = await Support.Cli.RunExpectingAsync(2, args);
        Assert.Contains(words, r.Error);
        Assert.Contains("Try 'socketkit nc --help' for usage.", r.Error);
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0; // NUL bytes pass too.
        bytes[^1] = 0;
        return bytes;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[65536];
        int n;
        while ((n = await socket.ReceiveAsync(buffer).WaitAsync(Bound)) > 0)
        {
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }
}
