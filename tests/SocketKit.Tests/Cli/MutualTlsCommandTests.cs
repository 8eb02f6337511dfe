namespace SocketKit.Tests.Cli;

/// <summary>
/// Mutual TLS between SocketKit's own server and clients, as a user runs them: --tls-client-ca on the server,
/// --tls-cert and --tls-key on the clients; every refusal said in words on both sides; and the client's
/// --tls-server-name, over a Unix socket, with -v showing what was negotiated.
/// </summary>
[Tier(TestTier.Socket)]
public class MutualTlsCommandTests
{
    private static Task<Support.Cli.RunningServer> StartAsync(string command, params string[] extra) =>
        Support.Cli.StartServerListeningAsync(Support.Cli.TlsListening,
            [command, "127.0.0.1", "0", "--tls-cert", TestPki.Server.CertificatePath, "--tls-key", TestPki.Server.KeyPath, "--tls-client-ca", TestPki.Ca.CertificatePath, .. extra]);

    private static string[] Give(TestPki.Pair pair) => ["--tls-cert", pair.CertificatePath, "--tls-key", pair.KeyPath];

    [Theory]
    [InlineData("app-server", "app-client")]
    [InlineData("echo-server", "echo-client")]
    public async Task AClientWithACertificateFromTheCaIsServedAndItsSubjectLogged(string serverCommand, string clientCommand)
    {
        await using Support.Cli.RunningServer server = await StartAsync(serverCommand);
        string[] what = clientCommand == "app-client" ? ["search", "morpheus"] : ["secret"];
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, [clientCommand, "127.0.0.1", server.Port.ToString(), .. what, "--tls-ca", TestPki.Ca.CertificatePath, .. Give(TestPki.Client), "-q"]);
        await server.Error.WaitForAsync(@"Connection 1 from 127\.0\.0\.1:\d+ presented the client certificate CN=alice \(issued by CN=SocketKit Test CA\)");
    }

    [Fact]
    public async Task MultiConnClientAndBenchGiveTheirCertificateToo()
    {
        await using Support.Cli.RunningServer server = await StartAsync("multiconn-server");
        await Support.Cli.RunExpectingAsync(0, ["multiconn-client", "127.0.0.1", server.Port.ToString(), "2", "--tls-ca", TestPki.Ca.CertificatePath, .. Give(TestPki.Client), "-q"]);
        await using Support.Cli.RunningServer app = await StartAsync("app-server");
        Support.Cli.Result bench = await Support.Cli.RunAsync(["bench", "app", "127.0.0.1", app.Port.ToString(), "-c", "2", "-n", "20", "--verify", "--tls-ca", TestPki.Ca.CertificatePath, .. Give(TestPki.Client)]);
        Assert.True(bench.ExitCode == 0, bench.Error + bench.Out);
        await app.Error.WaitForAsync(@"presented the client certificate CN=alice");
    }

    [Theory]
    [InlineData("none",
        "the server requires a client certificate issued by CN=SocketKit Test CA, and none was given (--tls-cert and --tls-key give one)",
        "the client gave no certificate; this server requires one issued by CN=SocketKit Test CA")]
    [InlineData("other-ca",
        "the server refused this client's certificate CN=mallory: it is issued by CN=Another CA, and the server asks for one issued by CN=SocketKit Test CA",
        "the client's certificate CN=mallory (issued by CN=Another CA) is not issued by CN=SocketKit Test CA, the CA this server trusts for clients")]
    [InlineData("expired",
        "the server refused this client's certificate CN=bob: it expired on ",
        "the client's certificate CN=bob expired on ")]
    public async Task ARefusedCertificateIsSaidInWordsOnBothSides(string given, string clientSays, string serverSays)
    {
        await using Support.Cli.RunningServer server = await StartAsync("app-server");
        string[] certificate = given switch { "other-ca" => Give(TestPki.ClientOfOtherCa), "expired" => Give(TestPki.ExpiredClient), _ => [] };
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, ["app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "--tls-ca", TestPki.Ca.CertificatePath, .. certificate]);
        Assert.Contains(clientSays, client.Error);
        Support.Cli.AssertNoStackTrace(client.Error);
        await server.Error.WaitForAsync($@"Connection 1 from 127\.0\.0\.1:\d+ failed: TLS handshake failed: {System.Text.RegularExpressions.Regex.Escape(serverSays)}");
    }

    [Fact]
    public async Task WithTlsClientOptionalAClientWithoutACertificateIsServedButOneFromAnotherCaIsNot()
    {
        await using Support.Cli.RunningServer server = await StartAsync("app-server", "--tls-client-optional");
        Support.Cli.Result without = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "morpheus", "--tls-ca", TestPki.Ca.CertificatePath, "-q");
        Assert.Equal((0, "Got result: Follow the white rabbit. \U0001F430\n"), (without.ExitCode, without.Out));
        Support.Cli.Result other = await Support.Cli.RunExpectingAsync(1, ["app-client", "127.0.0.1", server.Port.ToString(), "search", "morpheus", "--tls-ca", TestPki.Ca.CertificatePath, .. Give(TestPki.ClientOfOtherCa)]);
        Assert.Contains("it is issued by CN=Another CA", other.Error);
    }

    [Theory]
    [InlineData(new[] { "--tls-client-ca", "CA" }, "--tls-client-ca needs TLS")]
    [InlineData(new[] { "--tls-cert", "CERT", "--tls-key", "KEY", "--tls-client-optional" }, "--tls-client-optional needs --tls-client-ca")]
    public async Task MutualTlsOptionsWithoutWhatTheyNeedAreUsageErrors(string[] options, string said)
    {
        string[] args = [.. options.Select(o => o switch { "CA" => TestPki.Ca.CertificatePath, "CERT" => TestPki.Server.CertificatePath, "KEY" => TestPki.Server.KeyPath, _ => o })];
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, ["app-server", "127.0.0.1", "0", .. args]);
        Assert.Contains(said, result.Error);
    }

    [Fact]
    public async Task TlsServerNameOverAUnixSocketSetsTheNameAskedForAndAMismatchNamesBoth()
    {
        string path = TestTransport.NewSocketPath();
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ",
            "app-server", "unix:" + path, "--tls-cert", TestPki.NamedServer.CertificatePath, "--tls-key", TestPki.NamedServer.KeyPath);

        // Without it, the name asked for over a Unix socket is localhost, which the certificate does not hold.
        Support.Cli.Result unnamed = await Support.Cli.RunExpectingAsync(1, "app-client", "unix:" + path, "search", "morpheus", "--tls-ca", TestPki.Ca.CertificatePath);
        Assert.Contains("the server's certificate is for app.internal, not for localhost (--tls-server-name sets the name asked for)", unnamed.Error);

        Support.Cli.Result wrong = await Support.Cli.RunAsync("app-client", "unix:" + path, "search", "morpheus", "--tls-ca", TestPki.Ca.CertificatePath, "--tls-server-name", "db.internal");
        Assert.Contains("the server's certificate is for app.internal, not for db.internal", wrong.Error);

        Support.Cli.Result named = await Support.Cli.RunExpectingAsync(0, "app-client", "unix:" + path, "search", "morpheus", "--tls-ca", TestPki.Ca.CertificatePath, "--tls-server-name", "app.internal", "-v");
        Assert.Equal("Got result: Follow the white rabbit. \U0001F430\n", named.Out);
        // -v: the protocol, the cipher suite, and the server certificate's subject, issuer and expiry.
        Assert.Matches(@"TLS with unix:\S+: TLS 1\.[23], TLS_\w+; asked for app\.internal; the server's certificate CN=app\.internal, issued by CN=SocketKit Test CA, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", named.Error);
    }

    [Fact]
    public async Task TheHandlerSeesTheClientCertificate()
    {
        var subjects = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using ServerGroup group = new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Loops = 1 })
            .UseTls(SocketKit.Transport.Tls.TlsServerOptions.FromPemFiles(TestPki.Server.CertificatePath, TestPki.Server.KeyPath) with
            {
                ClientCertificateAuthorities = SocketKit.Transport.Tls.TlsServerOptions.LoadClientAuthorities(TestPki.Ca.CertificatePath),
                ClientCertificateOptional = true,
            })
            .UseHandler(info => new SubjectHandler(info, subjects))
            .Start();
        string port = ((IPEndPoint)group.LocalEndPoint).Port.ToString();
        Support.Cli.Result with = await Support.Cli.RunAsync(["echo-client", "127.0.0.1", port, "a", "--tls-ca", TestPki.Ca.CertificatePath, .. Give(TestPki.Client), "-q"]);
        Support.Cli.Result without = await Support.Cli.RunAsync("echo-client", "127.0.0.1", port, "b", "--tls-ca", TestPki.Ca.CertificatePath, "-q");
        Assert.Equal((0, 0), (with.ExitCode, without.ExitCode));
        Assert.Equal(["CN=alice", "none"], subjects.ToArray());
    }

    /// <summary>Echoes, and notes the client certificate's subject the first time bytes arrive (the handshake is over by then).</summary>
    private sealed class SubjectHandler(ConnectionInfo info, System.Collections.Concurrent.ConcurrentQueue<string> subjects) : IConnectionHandler
    {
        private readonly EchoHandler _echo = new();
        private bool _noted;

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            if (!_noted)
            {
                _noted = true;
                subjects.Enqueue(info.ClientCertificate?.Subject ?? "none");
            }
            return _echo.OnData(ref data, output);
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => _echo.OnPeerClosed(unconsumed, output);
    }
}
