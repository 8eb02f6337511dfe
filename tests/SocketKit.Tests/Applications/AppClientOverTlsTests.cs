using SocketKit.Applications;
using SocketKit.Applications.MultiConn;
using SocketKit.Tests.Transport;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Applications;

/// <summary>
/// The app client's TLS through the connection core every client and server shares (a <c>ClientChannel</c> with the
/// <c>TlsLayer</c> over a client-role <see cref="TlsPump"/>): its records cut into one-byte segments, keep-alive and
/// pipelining over it, a mutual-TLS server's refusal, and servers that are not TLS servers, each said as before.
/// </summary>
[Tier(TestTier.Socket)]
public class AppClientOverTlsTests
{
    private static readonly string[] Values = ["morpheus", "ring", "\U0001F436", "neo", "morpheus", "x"];

    private static byte[] Expected(string value) =>
        AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", value)).Content.ToArray();

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task EveryByteOfTheHandshakeAndTheRecordsInASegmentOfItsOwnStillGivesTheTutorialsAnswers(EngineKind engine)
    {
        await using SocketServer server = TlsTests.Start(engine, c => new AppServerHandler(TutorialHandlers.CreateRouter(), c));
        await using FaultRelay relay = FaultRelay.Start(new IPEndPoint(IPAddress.Loopback, server.Port()),
            toServer: new Faults { SegmentBytes = 1 }, toClient: new Faults { SegmentBytes = 1 });
        long plaintext = 0;
        await using (AppClient client = await AppClient.ConnectAsync("localhost", relay.Port, TlsTests.Trusting))
        {
            Assert.NotNull(client.TlsTime);
            for (int i = 0; i < Values.Length; i++)
            {
                Message request = AppRequests.Json("search", Values[i], keepAlive: i < Values.Length - 1);
                Message response = await client.SendAsync(request);
                Assert.Equal(Expected(Values[i]), response.Content.ToArray());
                plaintext += MessageEncoder.Encode(request.Header, request.Content.Span).Length + MessageEncoder.Encode(response.Header, response.Content.Span).Length;
            }
            Assert.True(client.ClosedByServer); // The last request asked for no keep-alive.
        }
        // Each byte went as a write of its own, and TLS records are longer than the plaintext they carry.
        Assert.True(relay.Writes > plaintext, $"{relay.Writes} one-byte writes for {plaintext} bytes of plaintext");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public async Task KeptAliveAndPipelinedOverTlsEveryRequestSharesOneConnectionAndTheAnswersComeInOrder(int pipeline)
    {
        long connections = 0;
        await using SocketServer server = TlsTests.Start(EngineKind.Select, c =>
        {
            Interlocked.Increment(ref connections);
            return new AppServerHandler(TutorialHandlers.CreateRouter(), c);
        });
        // Records cut at odd places, so several answers and parts of records arrive in one read.
        await using FaultRelay relay = FaultRelay.Start(new IPEndPoint(IPAddress.Loopback, server.Port()), toClient: new Faults { SegmentBytes = 37 });
        Message[] requests = [.. Values.Concat(Values).Select(v => AppRequests.Json("search", v))];

        IReadOnlyList<Message> responses = await AppClient.RequestManyAsync("localhost", relay.Port, requests, pipeline, TlsTests.Trusting);

        Assert.Equal(requests.Length, responses.Count);
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(Expected(Values[i % Values.Length]), responses[i].Content.ToArray());
            Assert.Equal(i < requests.Length - 1, responses[i].Header.KeepAlive);
        }
        Assert.Equal(1, Interlocked.Read(ref connections));
    }

    [Theory]
    [InlineData(false, TlsRefusal.ClientCertificateMissing, "the server requires a client certificate issued by CN=SocketKit Test CA, and none was given")]
    [InlineData(true, null, "the server refused this client's certificate CN=mallory: it is issued by CN=Another CA, and the server asks for one issued by CN=SocketKit Test CA")]
    public async Task AMutualTlsServerThatRefusesTheClientsCertificateIsSaidAsSuch(bool giveOneFromAnotherCa, TlsRefusal? refusal, string said)
    {
        await using SocketServer server = SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Tls = new TlsServerOptions { Certificate = TestPki.Server.Certificate, ClientCertificateAuthorities = [TestPki.Ca.Certificate] },
        }, c => new AppServerHandler(TutorialHandlers.CreateRouter(), c));
        var options = new ClientOptions
        {
            Tls = new TlsClientOptions { TrustedRoots = [TestPki.Ca.Certificate], ClientCertificate = giveOneFromAnotherCa ? TestPki.ClientOfOtherCa.Certificate : null },
        };

        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() => AppClient.RequestAsync("127.0.0.1", server.Port(), AppRequests.Json("search", "ring"), options));

        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.Equal(refusal, ex.TlsRefusal);
        Assert.Equal($"request to 127.0.0.1:{server.Port()} failed: {said}", ex.Message);
    }

    [Fact]
    public async Task WithACertificateFromTheCaTheMutualTlsServerAnswersAndSeesIt()
    {
        SocketKit.Transport.Connections.ConnectionInfo? connection = null;
        await using SocketServer server = SocketServer.Start(new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Tls = new TlsServerOptions { Certificate = TestPki.Server.Certificate, ClientCertificateAuthorities = [TestPki.Ca.Certificate] },
        }, c =>
        {
            connection = c;
            return new AppServerHandler(TutorialHandlers.CreateRouter(), c);
        });
        var options = new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestPki.Ca.Certificate], ClientCertificate = TestPki.Client.Certificate } };

        Message response = await AppClient.RequestAsync("127.0.0.1", server.Port(), AppRequests.Json("search", "ring"), options);

        Assert.Equal(Expected("ring"), response.Content.ToArray());
        Assert.Equal(TestPki.Client.Certificate.Subject, connection?.ClientCertificate?.Subject);
    }

    public static TheoryData<string, string?, TlsRefusal> Refusals => new()
    {
        { "untrusted", null, TlsRefusal.ServerUntrusted },
        { "another name", "other.example", TlsRefusal.ServerNameMismatch },
        { "another CA", null, TlsRefusal.ServerNotFromGivenCa },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task TheAppClientAndTheClientLoopSayARefusedServerCertificateInTheSameWords(string why, string? serverName, TlsRefusal refusal)
    {
        await using SocketServer server = TlsTests.Start(EngineKind.Select, c => new AppServerHandler(TutorialHandlers.CreateRouter(), c));
        var options = new ClientOptions
        {
            Tls = new TlsClientOptions
            {
                TrustedRoots = why switch { "untrusted" => null, "another CA" => [TestPki.Ca.Certificate], _ => [TestCertificates.Server] },
                ServerName = serverName,
            },
        };

        NetworkException app = await Assert.ThrowsAsync<NetworkException>(() => AppClient.ConnectAsync("127.0.0.1", server.Port(), options));
        MultiConnResult loop = Assert.Single(await MultiConnClient.RunAsync("127.0.0.1", server.Port(), 1, options: options));

        Assert.Equal((SocketErrorKind.TlsFailed, refusal), (app.Kind, app.TlsRefusal));
        Assert.Equal((app.Message, refusal), (loop.Error, loop.TlsRefusal));
        Assert.StartsWith($"TLS handshake with 127.0.0.1:{server.Port()} failed: the server's certificate ", app.Message);
    }

    [Fact]
    public async Task AgainstAPlainEchoServerTheClientIsToldItDoesNotSpeakTls()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        var insecure = new ClientOptions { Tls = new TlsClientOptions { AcceptAnyCertificate = true } };

        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() => AppClient.ConnectAsync("127.0.0.1", server.Port(), insecure));

        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.Equal($"the server at 127.0.0.1:{server.Port()} does not speak TLS: it sent the TLS handshake's first message back, as a plain echo server does", ex.Message);
    }

    [Fact]
    public async Task AServerThatNeverAnswersTheHelloIsSaidAsAPlainServerAtTheHandshakeTimeout()
    {
        using Socket listener = LoopbackListeners.Start();
        Task<Socket> accepted = listener.AcceptAsync();
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        TimeSpan timeout = TimeSpan.FromMilliseconds(300);
        var options = new ClientOptions { Tls = new TlsClientOptions { AcceptAnyCertificate = true }, HandshakeTimeout = timeout };

        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() => AppClient.ConnectAsync("127.0.0.1", endPoint.Port, options));

        (await accepted.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.StartsWith($"the server at {EndPoints.Format(endPoint)} did not answer the TLS handshake in {Durations.Format(timeout)}: is it a TLS server?", ex.Message);
    }

    [Fact]
    public async Task AServerThatClosesInTheMiddleOfARecordIsNotTakenForAnAnswer()
    {
        // A TLS server that sends the first half of its answer's record, then closes: the pump cannot read a cut record.
        using Socket listener = LoopbackListeners.Start();
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        Task serving = Task.Run(async () =>
        {
            using Socket accepted = await listener.AcceptAsync();
            TlsPump pump = TlsPump.ForServer(new TlsServerOptions { Certificate = TestCertificates.Server });
            try
            {
                byte[] buffer = new byte[16 * 1024];
                // The pump is handed to each continuation's thread before it is used (its calls run one at a time).
                while (true)
                {
                    pump.Adopt();
                    if (pump.IsAuthenticated && pump.TryRead(out _))
                    {
                        break; // The request's first bytes: answer now.
                    }
                    int n = await accepted.ReceiveAsync(buffer);
                    Assert.True(n > 0, "the client closed before its request");
                    pump.Adopt();
                    pump.Feed(buffer.AsSpan(0, n));
                    await SendAsync(accepted, pump);
                }
                pump.Adopt();
                pump.Write(new byte[1000]); // What would be an answer's bytes, in one record.
                byte[] records = pump.Outgoing.ToArray();
                await accepted.SendAsync(records.AsMemory(0, records.Length / 2));
                accepted.Shutdown(SocketShutdown.Send);
                try
                {
                    await accepted.ReceiveAsync(buffer); // Until the client gives up.
                }
                catch (SocketException)
                {
                }
            }
            finally
            {
                pump.Adopt();
                pump.Dispose();
            }
        });

        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => AppClient.RequestAsync("localhost", endPoint.Port, AppRequests.Json("search", "ring"), TlsTests.Trusting));

        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        NetworkException network = Assert.IsType<NetworkException>(ex);
        Assert.Equal(SocketErrorKind.TlsFailed, network.Kind);
        Assert.StartsWith($"request to {EndPoints.Format(endPoint)} failed: ", network.Message);
        Assert.NotNull(network.Progress);
        Assert.Equal(0, network.Progress!.BytesReceived);
    }

    private static async Task SendAsync(Socket socket, TlsPump pump)
    {
        while (pump.OutgoingCount > 0)
        {
            int sent = await socket.SendAsync(pump.Outgoing.ToArray());
            pump.Consume(sent);
        }
    }
}
