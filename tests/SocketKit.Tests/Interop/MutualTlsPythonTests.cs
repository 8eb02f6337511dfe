using SocketKit.Applications;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Interop;

/// <summary>
/// Mutual TLS both ways against Python's ssl module (OpenSSL): SocketKit's server with --tls-client-ca and Python as
/// the client, Python's server requiring a client certificate and SocketKit's clients with --tls-cert and --tls-key;
/// a refused certificate (none, another CA, expired) is said in words on SocketKit's side.
/// </summary>
public class MutualTlsPythonTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static string Script => Path.Combine(AppContext.BaseDirectory, "Interop", "tls_peer.py");

    private static Task<Support.Cli.RunningServer> StartServerAsync() =>
        Support.Cli.StartServerListeningAsync(Support.Cli.TlsListening,
            ["echo-server", "127.0.0.1", "0", "--tls-cert", TestPki.Server.CertificatePath, "--tls-key", TestPki.Server.KeyPath, "--tls-client-ca", TestPki.Ca.CertificatePath]);

    [ExternalFact("python3")]
    public async Task PythonsClientWithACertificateFromTheCaIsServedAndNamedInTheLog()
    {
        await using Support.Cli.RunningServer server = await StartServerAsync();
        var (code, output, error) = await ExternalProgram.RunAsync("python3",
            [Script, "client", "127.0.0.1", server.Port.ToString(), TestPki.Ca.CertificatePath, "hello", TestPki.Client.CertificatePath, TestPki.Client.KeyPath], Timeout);
        Assert.True(code == 0, error);
        Assert.Equal("echo hello\n", output);
        await server.Error.WaitForAsync(@"Connection 1 from 127\.0\.0\.1:\d+ presented the client certificate CN=alice \(issued by CN=SocketKit Test CA\)");
    }

    [ExternalTheory("python3")]
    [InlineData("none", "the client gave no certificate; this server requires one issued by CN=SocketKit Test CA")]
    [InlineData("other-ca", "the client's certificate CN=mallory (issued by CN=Another CA) is not issued by CN=SocketKit Test CA, the CA this server trusts for clients")]
    [InlineData("expired", "the client's certificate CN=bob expired on ")]
    public async Task PythonsClientWithoutAGoodCertificateIsRefusedAndTheServerSaysWhy(string given, string said)
    {
        await using Support.Cli.RunningServer server = await StartServerAsync();
        TestPki.Pair? pair = given switch { "other-ca" => TestPki.ClientOfOtherCa, "expired" => TestPki.ExpiredClient, _ => null };
        string[] certificate = pair is null ? [] : [pair.CertificatePath, pair.KeyPath];
        var (code, output, error) = await ExternalProgram.RunAsync("python3",
            [Script, "client", "127.0.0.1", server.Port.ToString(), TestPki.Ca.CertificatePath, "hello", .. certificate], Timeout);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("echo hello", output);
        await server.Error.WaitForAsync($@"Connection 1 from 127\.0\.0\.1:\d+ failed: TLS handshake failed: {System.Text.RegularExpressions.Regex.Escape(said)}");
        await server.Error.WaitForAsync(@"Closing connection 1 to 127\.0\.0\.1:\d+ \(failed\)");
    }

    [ExternalFact("python3")]
    public async Task SocketKitsClientGivesItsCertificateToPythonsServer()
    {
        using PythonServer python = await PythonServer.StartAsync();
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", python.Port.ToString(), "hello",
            "--tls-ca", TestPki.Ca.CertificatePath, "--tls-cert", TestPki.Client.CertificatePath, "--tls-key", TestPki.Client.KeyPath, "-q");
        Assert.Equal((0, "Received b'hello'\n", ""), (client.ExitCode, client.Out, client.Error));
        Assert.Equal("client CN=alice\n", await python.OutputAsync());
    }

    [ExternalTheory("python3")]
    [InlineData("none", "the server requires a client certificate, and none was given (--tls-cert and --tls-key give one)")]
    [InlineData("other-ca", "the server refused this client's certificate: it is not issued by a CA the server trusts for clients")]
    [InlineData("expired", "the server refused this client's certificate: it has expired")]
    public async Task SocketKitsClientSaysWhyPythonsServerRefusedIt(string given, string said)
    {
        using PythonServer python = await PythonServer.StartAsync();
        TestPki.Pair? pair = given switch { "other-ca" => TestPki.ClientOfOtherCa, "expired" => TestPki.ExpiredClient, _ => null };
        string[] certificate = pair is null ? [] : ["--tls-cert", pair.CertificatePath, "--tls-key", pair.KeyPath];
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, ["echo-client", "127.0.0.1", python.Port.ToString(), "hello", "--tls-ca", TestPki.Ca.CertificatePath, .. certificate]);
        Assert.Contains($"127.0.0.1:{python.Port} failed: {said}", client.Error);
        Support.Cli.AssertNoStackTrace(client.Error);
        Assert.StartsWith("refused ", await python.OutputAsync());
    }

    [ExternalFact("python3")]
    public async Task TheAppClientsPumpGivesItsCertificateToPythonsServer()
    {
        using PythonServer python = await PythonServer.StartAsync();
        var options = new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestPki.Ca.Certificate], ClientCertificate = TestPki.Client.Certificate } };
        Message request = AppRequests.Json("search", "ring");

        // The server echoes: the request's own frame comes back as the answer.
        Message echoed = await AppClient.RequestAsync("127.0.0.1", python.Port, request, options);

        Assert.Equal(request.Content.ToArray(), echoed.Content.ToArray());
        Assert.Equal("client CN=alice\n", await python.OutputAsync());
    }

    [ExternalTheory("python3")]
    [InlineData("none", "the server requires a client certificate, and none was given", TlsRefusal.ClientCertificateMissing)]
    [InlineData("other-ca", "the server refused this client's certificate: it is not issued by a CA the server trusts for clients", null)]
    [InlineData("expired", "the server refused this client's certificate: it has expired", null)]
    public async Task TheAppClientSaysWhyPythonsServerRefusedItFromTheAlertItsPumpRead(string given, string said, TlsRefusal? refusal)
    {
        using PythonServer python = await PythonServer.StartAsync();
        TestPki.Pair? pair = given switch { "other-ca" => TestPki.ClientOfOtherCa, "expired" => TestPki.ExpiredClient, _ => null };
        var options = new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestPki.Ca.Certificate], ClientCertificate = pair?.Certificate } };

        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() => AppClient.RequestAsync("127.0.0.1", python.Port, AppRequests.Json("search", "ring"), options));

        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.Equal(refusal, ex.TlsRefusal);
        Assert.Equal($"request to 127.0.0.1:{python.Port} failed: {said}", ex.Message);
        Assert.StartsWith("refused ", await python.OutputAsync());
    }

    /// <summary>tls_peer.py's server: it requires a client certificate from the test CA and echoes once.</summary>
    private sealed class PythonServer : IDisposable
    {
        private readonly Process _process;

        private PythonServer(Process process, int port) => (_process, Port) = (process, port);

        public int Port { get; }

        public static async Task<PythonServer> StartAsync()
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { Script, "server", TestPki.Server.CertificatePath, TestPki.Server.KeyPath, TestPki.Ca.CertificatePath })
            {
                start.ArgumentList.Add(arg);
            }
            Process process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
            {
                string error = await process.StandardError.ReadToEndAsync().WaitAsync(Timeout);
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw new InvalidOperationException($"the Python TLS server did not start: {line} {error}");
            }
            return new PythonServer(process, int.Parse(line["listening ".Length..]));
        }

        /// <summary>What it printed after "listening", once it has served its one connection and exited.</summary>
        public async Task<string> OutputAsync()
        {
            Task<string> output = _process.StandardOutput.ReadToEndAsync();
            await _process.WaitForExitAsync().WaitAsync(Timeout);
            return await output.WaitAsync(Timeout);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
