namespace SocketKit.Tests.Cli;

/// <summary>The app and echo programs over TLS as a user runs them, and the mistakes a user can make.</summary>
[Tier(TestTier.Socket)]
public class TlsCommandTests
{
    [Fact]
    public async Task AppClientWithTheCaGetsItsAnswer()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "localhost", server.Port.ToString(), "search", "morpheus", "--tls-ca", TestCertificates.CertificatePath, "-q");
        Assert.Equal((0, "Got result: Follow the white rabbit. \U0001F430\n", ""), (client.ExitCode, client.Out, client.Error));
    }

    [Fact]
    public async Task EchoClientWithTlsInsecureGetsItsEchoFromTheBlockingServer()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("echo-server", "--engine", "blocking");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "secret", "--tls-insecure", "-q");
        Assert.Equal((0, "Received b'secret'\n"), (client.ExitCode, client.Out));
    }

    [Fact]
    public async Task TlsAgainstTheSystemsRootsRefusesTheSelfSignedCertificateInWords()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, "app-client", "localhost", server.Port.ToString(), "search", "ring", "--tls");
        Assert.Equal("", client.Out);
        Assert.Contains($"socketkit: TLS handshake with 127.0.0.1:{server.Port} failed: the server's certificate is not trusted", client.Error);
        Assert.Contains("--tls-ca", client.Error);
        Support.Cli.AssertNoStackTrace(client.Error);
    }

    [Fact]
    public async Task AShortHandshakeTimeoutClosesAClientThatSaysNothing()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server", "--handshake-timeout", "300ms");
        using Socket silent = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        await server.Error.WaitForAsync(@"handshake timeout: no TLS handshake within 300ms");
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Empty(await RawClient.ReadToEndAsync(silent, cts.Token));
    }

    [Fact]
    public async Task AppServerWithTheProxyProtocolReadsTheHeaderBeforeTheHandshakeAsABalancerSendsIt()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server", "--proxy-protocol");
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        using Socket socket = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        // HAProxy's send-proxy: the header in plain text, then the client's TLS bytes untouched.
        socket.Send(Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.7 127.0.0.1 56324 {server.Port}\r\n"));
        await using var ssl = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString(),
        }, cts.Token);
        ReferenceVector search = ReferenceVectors.Get("search-morpheus");
        await ssl.WriteAsync(search.Request, cts.Token);
        using var answer = new MemoryStream();
        await ssl.CopyToAsync(answer, cts.Token);

        Assert.Equal(search.Response, answer.ToArray());
        await server.Error.WaitForAsync(@"Connection 1 from 127\.0\.0\.1:\d+ is for client 192\.0\.2\.7:56324 \(PROXY v1\)");
    }

    [Theory]
    [InlineData("--tls-cert")]
    [InlineData("--tls-key")]
    public async Task ACertificateWithoutItsKeyIsAUsageError(string option)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "app-server", "127.0.0.1", "0", option, TestCertificates.CertificatePath);
        Assert.Contains("--tls-cert and --tls-key go together", result.Error);
    }

    [Fact]
    public async Task AMissingCertificateFileIsSaidInWords()
    {
        Support.Cli.Result result = await Support.Cli.RunAsync("app-server", "127.0.0.1", "0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", TestCertificates.KeyPath);
        Assert.Equal((2, "socketkit: --tls-cert '/nonexistent/cert.pem': no such file.\nTry 'socketkit app-server --help' for usage.\n"), (result.ExitCode, result.Error));
    }

    [Fact]
    public async Task EchoServerWithTheSelectEngineServesTlsWhereItOnceRefused()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("echo-server", "--engine", "select", "--loops", "1");
        Assert.Contains("(TLS over select engine)", server.Error.ToString());
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "selected", "--tls-insecure", "-q");
        Assert.Equal((0, "Received b'selected'\n"), (client.ExitCode, client.Out));
    }

    [Fact]
    public async Task BenchEchoWithTlsInsecureVerifiesEveryEchoOfTheSelectEngine()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("echo-server", "--engine", "select");
        Support.Cli.Result bench = await Support.Cli.RunAsync("bench", "echo", "127.0.0.1", server.Port.ToString(), "-c", "4", "-n", "200", "--size", "20000",
            "--verify", "--tls-insecure", "--json");
        Assert.True(bench.ExitCode == 0, bench.Error);
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(bench.Out);
        Assert.Equal(200, json.RootElement.GetProperty("completed").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task MultiConnClientWithTheCaGetsEveryEchoFromTheMultiConnServerOverTls()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("multiconn-server");
        Assert.Contains("(TLS over select engine)", server.Error.ToString());
        Support.Cli.Result client = await Support.Cli.RunAsync("multiconn-client", "localhost", server.Port.ToString(), "3", "--tls-ca", TestCertificates.CertificatePath, "-q");
        string expected = string.Concat(Enumerable.Range(1, 3).Select(i => $"Connection {i} received b'Message 1 from client.Message 2 from client.'\n"));
        Assert.Equal((0, expected, ""), (client.ExitCode, client.Out, client.Error));
    }

    [Fact]
    public async Task MultiConnClientAgainstTheSystemsRootsRefusesTheSelfSignedCertificateInWords()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("multiconn-server");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, "multiconn-client", "localhost", server.Port.ToString(), "2", "--tls");
        string refused = $"TLS handshake with 127.0.0.1:{server.Port} failed: the server's certificate is not trusted";
        Assert.Equal(2, client.Out.Split('\n').Count(line => line.StartsWith("Connection ", StringComparison.Ordinal) && line.Contains($"failed: {refused}")));
        Assert.Contains("--tls-ca", client.Out);
        Assert.Contains("socketkit: 2 of 2 connections did not get their whole echo back", client.Error);
        Support.Cli.AssertNoStackTrace(client.Out + client.Error);
    }

    [Fact]
    public async Task MultiConnClientAndBenchWithVSayWhatTheHandshakeNegotiatedAndTheServersCertificate()
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(TestPki.Server.CertificatePath));
        string said = $"; asked for 127.0.0.1; the server's certificate {certificate.Subject}, issued by {certificate.Issuer}, valid until {SocketKit.Transport.Tls.ServerCertificateFiles.Format(certificate.NotAfter)}";
        string negotiated = @": TLS 1\.[23], TLS_\w+" + System.Text.RegularExpressions.Regex.Escape(said);
        await using Support.Cli.RunningServer echo = await Support.Cli.StartServerListeningAsync(Support.Cli.TlsListening,
            "multiconn-server", "127.0.0.1", "0", "--tls-cert", TestPki.Server.CertificatePath, "--tls-key", TestPki.Server.KeyPath);
        await using Support.Cli.RunningServer app = await Support.Cli.StartServerListeningAsync(Support.Cli.TlsListening,
            "app-server", "127.0.0.1", "0", "--tls-cert", TestPki.Server.CertificatePath, "--tls-key", TestPki.Server.KeyPath);

        Support.Cli.Result multi = await Support.Cli.RunAsync("multiconn-client", "127.0.0.1", echo.Port.ToString(), "2", "--tls-ca", TestPki.Ca.CertificatePath, "-v");
        Assert.True(multi.ExitCode == 0, multi.Error);
        // One line per connection, each once its handshake is done.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(multi.Error, $@"TLS with 127\.0\.0\.1:{echo.Port}{negotiated}\n"));

        Support.Cli.Result bench = await Support.Cli.RunAsync("bench", "app", "127.0.0.1", app.Port.ToString(), "-c", "2", "-n", "20", "--tls-ca", TestPki.Ca.CertificatePath, "-v");
        Assert.True(bench.ExitCode == 0, bench.Error + bench.Out);
        // The first connection's handshake only: a bench opens many.
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(bench.Error, $@"TLS with 127\.0\.0\.1:{app.Port}{negotiated}\n"));

        Support.Cli.Result quiet = await Support.Cli.RunAsync("bench", "app", "127.0.0.1", app.Port.ToString(), "-c", "2", "-n", "20", "--tls-ca", TestPki.Ca.CertificatePath);
        Assert.True(quiet.ExitCode == 0, quiet.Error + quiet.Out);
        Assert.DoesNotContain("TLS with", quiet.Error + quiet.Out);
    }
}
