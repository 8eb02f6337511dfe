using SocketKit.Applications;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>
/// TLS with a certificate made at test time: what a client trusts and refuses, and what a bad handshake does. The
/// conversations themselves (reference vectors byte for byte, echo, app client, pipelining, stop) run over TLS in
/// the engine conformance suite (<see cref="BlockingEngineOverTlsTests"/>, <see cref="SelectEngineOverTlsTests"/>).
/// </summary>
[Tier(TestTier.Socket)]
public class TlsTests
{
    public static TheoryData<EngineKind> Engines => [EngineKind.Blocking, EngineKind.Select];

    internal static readonly ClientOptions Trusting = new() { Tls = new TlsClientOptions { TrustedRoots = [TestCertificates.Server] } };

    internal static SocketServer Start(EngineKind engine, Func<ConnectionInfo, IConnectionHandler> handlers, TimeSpan? handshakeTimeout = null,
        Action<ConnectionInfo, ConnectionCloseReason>? onClosing = null) =>
        SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = engine,
            Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
            Timeouts = ServerTimeouts.Default with { HandshakeTimeout = handshakeTimeout ?? ServerTimeouts.Default.HandshakeTimeout },
            OnClosing = onClosing,
        }, handlers);

    private static SocketServer App(EngineKind engine) => Start(engine, c => new AppServerHandler(TutorialHandlers.CreateRouter(), c));

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TheAppClientGetsTheTutorialsAnswersOverTlsAndKeepsTheConnectionAlive(EngineKind engine)
    {
        await using SocketServer server = App(engine);
        await using AppClient client = await AppClient.ConnectAsync("localhost", server.Port(), Trusting);
        foreach (string value in new[] { "morpheus", "ring", "\U0001F436" })
        {
            Message response = await client.SendAsync(AppRequests.Json("search", value, keepAlive: value != "\U0001F436"));
            Assert.Equal(AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", value)).Content.ToArray(), response.Content.ToArray());
        }
    }

    [Fact]
    public async Task OverIPv6TheCertificatesAddressIsVerifiedToo()
    {
        await using SocketServer server = SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0),
            Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
        }, _ => new EchoHandler());
        Assert.Equal("six"u8.ToArray(), await EchoClient.EchoAsync("::1", server.Port(), "six"u8.ToArray(), Trusting));
    }

    [Fact]
    public async Task WithoutACaTheClientRefusesAnUnknownCertificateClearly()
    {
        await using SocketServer server = App(EngineKind.Select);
        var systemRoots = new ClientOptions { Tls = new TlsClientOptions() };
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            AppClient.RequestAsync("localhost", server.Port(), AppRequests.Json("search", "ring"), systemRoots));
        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.Contains("not trusted", ex.Message);
    }

    [Fact]
    public async Task ACertificateForAnotherNameIsRefusedEvenFromATrustedCa()
    {
        await using SocketServer server = App(EngineKind.Select);
        var otherName = new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestCertificates.Server], ServerName = "example.org" } };
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            AppClient.RequestAsync("127.0.0.1", server.Port(), AppRequests.Json("search", "ring"), otherName));
        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
    }

    [Fact]
    public async Task InsecureAcceptsTheSelfSignedCertificate()
    {
        await using SocketServer server = App(EngineKind.Blocking);
        var insecure = new ClientOptions { Tls = new TlsClientOptions { AcceptAnyCertificate = true } };
        Message response = await AppClient.RequestAsync("127.0.0.1", server.Port(), AppRequests.Json("search", "morpheus"), insecure);
        Assert.Equal(ReferenceVectors.Get("search-morpheus").Response, MessageEncoder.Encode(response.Header, response.Content.Span));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AHandlerThatThrowsEndsOnlyItsOwnConnectionAndTheServerStillStopsCleanly(EngineKind engine)
    {
        var log = new ListLogger();
        SocketServer server = SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = engine,
            Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
        }, _ => new CrashingEchoHandler(), log);
        await Assert.ThrowsAnyAsync<Exception>(() => EchoClient.EchoAsync("localhost", server.Port(), "crash"u8.ToArray(), Trusting));
        await Eventually.TrueAsync(() => log.Lines.Any(line => line.Contains("its handler failed: InvalidOperationException: handler bug")), "the failure is logged as the handler's");

        Assert.Equal("six"u8.ToArray(), await EchoClient.EchoAsync("localhost", server.Port(), "six"u8.ToArray(), Trusting));
        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await server.DisposeAsync();
    }

    /// <summary>Echoes, except that it throws on "crash": a handler's bug, which must end only its own connection.</summary>
    private sealed class CrashingEchoHandler : IConnectionHandler
    {
        private readonly EchoHandler _echo = new();

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output) =>
            data.FirstSpan.StartsWith("crash"u8) ? throw new InvalidOperationException("handler bug") : _echo.OnData(ref data, output);

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) =>
            _echo.OnPeerClosed(unconsumed, output);
    }

    [Fact]
    public async Task APlainClientAgainstATlsServerGetsNoAnswerTakenForAMessage()
    {
        await using SocketServer server = App(EngineKind.Select);
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => AppClient.RequestAsync("127.0.0.1", server.Port(), AppRequests.Json("search", "ring"),
            new ClientOptions { Timeout = TimeSpan.FromSeconds(5) }));
        Assert.True(ex is ProtocolException { Error: ProtocolError.TruncatedMessage } or NetworkException { Kind: SocketErrorKind.ConnectionReset }, ex.ToString());
    }

    [Fact]
    public async Task TheSelectEngineServesTlsWhereItOnceRefused()
    {
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<ConnectionCloseReason>();
        await using SocketServer server = Start(EngineKind.Select, _ => new EchoHandler(), onClosing: (_, reason) => reasons.Enqueue(reason));
        Assert.Equal("over the loop"u8.ToArray(), await EchoClient.EchoAsync("localhost", server.Port(), "over the loop"u8.ToArray(), Trusting));
        await Eventually.TrueAsync(() => reasons.Count == 1, "the TLS connection closed");
        Assert.Equal([ConnectionCloseReason.PeerClosed], reasons);
        // It speaks nothing but TLS: a plain client's bytes fail the handshake, and come back at most as an alert record.
        using Socket plain = await RawClient.ConnectAsync(server.LocalEndPoint);
        await plain.SendAsync("plain words, not a ClientHello"u8.ToArray());
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        byte[] answer = await RawClient.ReadToEndAsync(plain, cts.Token);
        Assert.True(answer.Length == 0 || answer[0] == 0x15, Convert.ToHexString(answer));
        await Eventually.TrueAsync(() => reasons.Count == 2, "the plain connection closed");
        Assert.Equal(ConnectionCloseReason.Failed, reasons.Last());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ACorruptRecordAfterTheHandshakeClosesOnlyItsConnection(EngineKind engine)
    {
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<ConnectionCloseReason>();
        await using SocketServer server = Start(engine, _ => new EchoHandler(), onClosing: (_, reason) => reasons.Enqueue(reason));
        await using RawConnection bystander = await TestTransport.Tls.ConnectAsync(server);

        using Socket socket = await RawClient.ConnectAsync(server.LocalEndPoint);
        SendACorruptRecordAfterTheHandshake(socket);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        await RawClient.ReadToEndAsync(socket, cts.Token); // The server closes it (after an alert, or not).
        await Eventually.TrueAsync(() => reasons.Count == 1, "the corrupt connection closed");
        Assert.Equal([ConnectionCloseReason.Failed], reasons);
        // The other connection is served as before.
        await bystander.SendAsync("still here"u8.ToArray(), cts.Token);
        Assert.Equal("still here"u8.ToArray(), await bystander.ReadExactlyAsync(10, cts.Token));
    }

    /// <summary>The client side of a pump over a blocking socket, on this thread alone: the handshake as a readiness loop drives it.</summary>
    private static void SendACorruptRecordAfterTheHandshake(Socket socket)
    {
        socket.ReceiveTimeout = (int)RawClient.Timeout.TotalMilliseconds;
        using TlsPump client = TlsPump.ForClient(Trusting.Tls!, "localhost");
        byte[] buffer = new byte[16 * 1024];
        for (int flights = 0; client.IsHandshaking && flights < 10; flights++)
        {
            socket.Send(client.Outgoing);
            client.Consume(client.OutgoingCount);
            int n = socket.Receive(buffer);
            if (n == 0) client.FeedEnd(); else client.Feed(buffer.AsSpan(0, n));
        }
        Assert.True(client.IsAuthenticated, client.HandshakeFailure?.ToString());
        socket.Send(client.Outgoing); // The client's Finished, if still here.
        client.Consume(client.OutgoingCount);
        client.Write("fine"u8.ToArray());
        byte[] record = client.Outgoing.ToArray();
        client.Consume(record.Length);
        record[^1] ^= 0xFF; // The last byte of the authentication tag: the record no longer decrypts.
        socket.Send(record);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task OnEveryEngineTheHandshakeTimeoutIsReadOnTheServersClock(EngineKind engine)
    {
        using var recorded = new RecordedMetrics();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        TimeSpan handshakeTimeout = TimeSpan.FromSeconds(5);
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<ConnectionCloseReason>();
        await using SocketServer server = SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = engine,
            Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
            Timeouts = ServerTimeouts.Default with { HandshakeTimeout = handshakeTimeout },
            TimeProvider = time,
            OnClosing = (_, reason) => reasons.Enqueue(reason),
        }, _ => new EchoHandler());
        using Socket stalled = await RawClient.ConnectAsync(server.LocalEndPoint);
        stalled.Send([0x16, 0x03, 0x01, 0x02, 0x00]); // A ClientHello announced, never sent.
        await Eventually.TrueAsync(() => server.Counters.ConnectionsAccepted == 1, "the connection accepted");

        int closedAfter = await HostileServers.AdvanceUntilClosedAsync(time, stalled, 30);

        // Long before the 30 s request timeout; a tick may fall just before the deadline, so one second of slack.
        int timeout = (int)handshakeTimeout.TotalSeconds;
        Assert.InRange(closedAfter, timeout, timeout + 1);
        // A timeout of its own, counted and tagged as one, not a failure.
        await Eventually.TrueAsync(() => !reasons.IsEmpty, "the close reported");
        Assert.Equal([ConnectionCloseReason.HandshakeTimeout], reasons);
        Assert.Equal(1, server.Counters.ConnectionsTimedOut);
        var timeouts = recorded.Of(SocketKit.Metrics.SocketKitMetrics.Timeouts, server.Port());
        Assert.Equal(["handshake"], timeouts.Select(t => (string?)t.Tags["socketkit.timeout.kind"]));
    }

    [Fact]
    public async Task TheMultiConnClientGivesUpOnAServerThatNeverAnswersItsHelloAtTheHandshakeTimeout()
    {
        // Accepts TCP (the kernel does, from the backlog) and never says a word.
        using Socket mute = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), backlog: 16, reusePort: false);
        int port = ((IPEndPoint)mute.LocalEndPoint!).Port;
        var options = Trusting with { HandshakeTimeout = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(20) };
        var elapsed = Stopwatch.StartNew();
        IReadOnlyList<SocketKit.Applications.MultiConn.MultiConnResult> results = await SocketKit.Applications.MultiConn.MultiConnClient.RunAsync("localhost", port, 2, options: options);
        Assert.All(results, r => Assert.Equal($"TLS handshake with 127.0.0.1:{port} timed out after 300ms", r.Error));
        // Well before the 20 s the whole exchange may take: only the handshake timeout ends it this soon.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"took {elapsed.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AClientThatNeverFinishesTheHandshakeIsClosedByTheHandshakeTimeout(EngineKind engine)
    {
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<ConnectionCloseReason>();
        await using SocketServer server = Start(engine, _ => new EchoHandler(), TimeSpan.FromMilliseconds(300), (_, reason) => reasons.Enqueue(reason));
        using Socket stalled = await RawClient.ConnectAsync(server.LocalEndPoint);
        await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }); // A record header announcing a ClientHello that never comes.
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        // Closed well before the 30 s request timeout: only the handshake timeout can end it within the read's 10 s.
        Assert.Empty(await RawClient.ReadToEndAsync(stalled, cts.Token));
        await Eventually.TrueAsync(() => !reasons.IsEmpty, "the stalled connection closed");
        Assert.Equal([ConnectionCloseReason.HandshakeTimeout], reasons);
    }
}

/// <summary>
/// Clients that open TCP to a TLS server and never finish the handshake. Alone in its collection, so the process's
/// memory measured before and after is this server's and not other tests'.
/// </summary>
[Collection(nameof(Network.NetworkNamespaceTests))]
[Tier(TestTier.Socket)]
public class TlsHandshakeTimeoutTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task FiveHundredConnectionsThatNeverFinishTheHandshakeAreAllClosedByTheTimeout()
    {
        TimeSpan handshakeTimeout = TimeSpan.FromSeconds(1);
        await using SocketServer server = TlsTests.Start(EngineKind.Select, c => new AppServerHandler(TutorialHandlers.CreateRouter(), c), handshakeTimeout);
        // One whole exchange and a first round of 500 stalled handshakes, so what TLS sets up once and what the shared
        // buffer pools keep for reuse are not counted as growth: a second round must then add next to nothing.
        await AppClient.RequestAsync("localhost", server.Port(), AppRequests.Json("search", "ring"), TlsTests.Trusting);
        await StallFiveHundredHandshakesAsync(server);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        await StallFiveHundredHandshakesAsync(server);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed memory before {before:N0} bytes, after 500 more closed handshakes {after:N0} bytes");
        // Every connection is closed and forgotten by the server, and memory is back near where it started
        Assert.Equal(0, server.Counters.ConnectionsOpen);
        Assert.Equal(1_001, server.Counters.ConnectionsAccepted);
        // (measured with no other test running, so what grows is this server's): a little per connection would be 500 times that.
        Assert.True(after - before < 2 * 1024 * 1024, $"managed memory grew by {after - before:N0} bytes after 500 more closed handshakes");
        // And the server still serves.
        Message response = await AppClient.RequestAsync("localhost", server.Port(), AppRequests.Json("search", "ring"), TlsTests.Trusting);
        Assert.Equal(AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", "ring")).Content.ToArray(), response.Content.ToArray());
    }

    /// <summary>500 clients open TCP and never finish the handshake; returns once the server has closed every one.</summary>
    private static async Task StallFiveHundredHandshakesAsync(SocketServer server)
    {
        // Half send nothing, half the first bytes of a ClientHello (a record header announcing 512 bytes, then 20 of them).
        byte[] halfHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, .. new byte[14]];
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 500; i++)
            {
                Socket socket = await RawClient.ConnectAsync(server.LocalEndPoint);
                sockets.Add(socket);
                if (i % 2 == 1) await socket.SendAsync(halfHello);
            }
            // Well under the 10 s default: only the configured 1 s timeout can close them all in time.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            // Each is closed by the server: a read ends (EOF, or a reset) instead of waiting.
            await Task.WhenAll(sockets.Select(async s =>
            {
                byte[] buffer = new byte[1024];
                try
                {
                    while (await s.ReceiveAsync(buffer, SocketFlags.None, bound.Token) > 0)
                    {
                    }
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                }
            }));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
            sockets.Clear(); // The test's own sockets are not the server's memory.
        }
        // The server counts a connection closed just after the client sees it end.
        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "the server closed every stalled connection");
    }

}
