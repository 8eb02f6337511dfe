using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocketKit.Tests.Diagnostics;

/// <summary>
/// socketkit diagnose against each broken setup a user meets, on loopback: each case's verdict in words and its exit
/// code. The dropped SYN needs a firewall rule, so it runs in network namespaces of its own (root).
/// </summary>
[Tier(TestTier.Socket)]
public class DiagnoseCommandTests
{
    /// <summary>Runs <c>diagnose ARGS -q</c> and asserts that it ended with <paramref name="exitCode"/>.</summary>
    private static Task<Support.Cli.Result> DiagnoseAsync(int exitCode, params string[] args) => Support.Cli.RunExpectingAsync(exitCode, ["diagnose", .. args, "-q"]);

    /// <summary>Runs <c>diagnose HOST PORT ARGS -q</c> against the server <paramref name="starting"/> starts, then stops it.</summary>
    /// <returns>What diagnose printed, and the port the server listened on.</returns>
    private static async Task<(Support.Cli.Result Result, int Port)> DiagnoseServerAsync(Task<Support.Cli.RunningServer> starting, int exitCode, string host, params string[] args)
    {
        await using Support.Cli.RunningServer server = await starting;
        return (await DiagnoseAsync(exitCode, [host, server.Port.ToString(), .. args]), server.Port);
    }

    private static Task<Support.Cli.RunningServer> StartPlainAsync(string command) => Support.Cli.StartServerAsync(command, "127.0.0.1", "0");

    private static Task<Support.Cli.RunningServer> StartTlsAsync(string command) => Support.Cli.StartTlsServerAsync(command);

    /// <summary>A loopback listener that plays a server by hand: each accepted connection goes to a function, until disposed.</summary>
    private sealed class HandMadeServer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Socket _listener = LoopbackListeners.Start();
        private readonly Task _serving;

        /// <param name="serve">Serves one connection; the token is cancelled when the server is disposed.</param>
        public HandMadeServer(Func<Socket, CancellationToken, Task> serve) =>
            _serving = Listeners.AcceptUntilStoppedAsync(_listener, accepted => _ = Task.Run(async () =>
            {
                using (accepted)
                {
                    try
                    {
                        await serve(accepted, _stop.Token);
                    }
                    catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                }
            }), _stop.Token);

        public int Port => _listener.Port();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _serving.WaitAsync(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task AWorkingAppServerPassesEveryStepAndExitsZero()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("app-server"), 0, "127.0.0.1");
        Assert.Matches($@"connect    127\.0\.0\.1:{port}: connected in [\d.]+ ms", result.Out);
        Assert.Matches(@"probe      sent 146 bytes \(a search request\), answered in [\d.]+ ms: Got result: Follow the white rabbit\.", result.Out);
        Assert.Contains($"Verdict: 127.0.0.1:{port} accepts connections and answers in the application protocol.", result.Out);
    }

    [Fact]
    public async Task AWorkingEchoServerPassesWithTheEchoProbe()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("echo-server"), 0, "127.0.0.1", "--protocol", "echo");
        Assert.Contains($"Verdict: 127.0.0.1:{port} accepts connections and answers in echo.", result.Out);
    }

    [Fact]
    public async Task NothingListeningIsARefusalWithNoListenerAnywhere()
    {
        using HeldPort closed = Ports.Hold();
        Support.Cli.Result result = await DiagnoseAsync(1, "127.0.0.1", closed.Port.ToString());
        Assert.Matches($@"connect    127\.0\.0\.1:{closed.Port}: refused in [\d.]+ ms", result.Out);
        Assert.Contains($"listeners  none on this machine at port {closed.Port}", result.Out);
        Assert.Contains($"Verdict: nothing is listening on 127.0.0.1:{closed.Port}: the host answered the connection request with a refusal (RST).", result.Out);
        Assert.Contains("socketkit netstat -tlnp", result.Out);
    }

    [Fact]
    public async Task AServerOnAnotherAddressIsNamedWithItsProcess()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("app-server"), 1, "127.0.0.2");
        Assert.Contains(
            $"Verdict: nothing is listening on 127.0.0.2:{port}, but a server listens on the same port at another address: 127.0.0.1:{port} ({Environment.ProcessId}/",
            result.Out);
        Assert.Contains($"Next step: connect to 127.0.0.1 {port}, or start the server on 127.0.0.2", result.Out);
    }

    [Fact]
    public async Task AServerThatAcceptsAndNeverAnswersIsSaidAsSuchWithTheBytesSentAndTheWait()
    {
        // The kernel accepts into the queue; nobody ever reads or writes.
        using Socket silent = LoopbackListeners.Start();
        Support.Cli.Result result = await DiagnoseAsync(1, "127.0.0.1", silent.Port().ToString(), "--timeout", "300ms");
        Assert.Contains($"Verdict: connected to 127.0.0.1:{silent.Port()} and sent 146 bytes (a search request); no answer came in ", result.Out);
        Assert.Contains("The server accepts connections but does not answer.", result.Out);
        Assert.DoesNotContain("firewall", result.Out);
        Assert.DoesNotContain("speaks TLS", result.Out);
    }

    [Fact]
    public async Task AServerThatClosesAtOnceIsSaidAsSuch()
    {
        await using var server = new HandMadeServer(async (connection, stop) =>
        {
            // Its FIN at once; what the client sends is read and dropped, so no reset follows.
            connection.Shutdown(SocketShutdown.Send);
            var drain = new byte[4096];
            while (await connection.ReceiveAsync(drain, stop) > 0) { }
        });
        Support.Cli.Result result = await DiagnoseAsync(1, "127.0.0.1", server.Port.ToString(), "--timeout", "2s");
        Assert.Matches($@"Verdict: connected to 127\.0\.0\.1:{server.Port} and sent 146 bytes; the server closed the connection after 0 bytes, without an answer, [\d.]+ ms later\.", result.Out);
        Assert.DoesNotContain("speaks TLS", result.Out);
    }

    [Fact]
    public async Task TlsAskedOfAPlainServerSaysItSpeaksPlainTcp()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("app-server"), 1, "127.0.0.1", "--tls-insecure", "--timeout", "500ms");
        Assert.Contains($"Verdict: TLS was asked for, but the server at 127.0.0.1:{port} speaks plain TCP", result.Out);
        Assert.Contains("Next step: leave out --tls, --tls-ca and --tls-insecure", result.Out);
    }

    [Fact]
    public async Task PlainSpokenToATlsServerSaysItSpeaksTls()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartTlsAsync("app-server"), 1, "127.0.0.1", "--timeout", "2s");
        Assert.Matches($@"Verdict: the server at 127\.0\.0\.1:{port} speaks TLS: a plain request got .+, and a TLS handshake completed \(TLS 1\.[23]\)\.", result.Out);
        Assert.Contains("Next step: add --tls", result.Out);
    }

    [Fact]
    public async Task TlsWithTheCaReportsTheCertificateAndPasses()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartTlsAsync("app-server"), 0, "localhost", "--tls-ca", TestCertificates.CertificatePath);
        string expires = TestCertificates.Server.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"tls        TLS 1\.[23], certificate for localhost, 127\.0\.0\.1, ::1, expires {expires} UTC, trusted", result.Out);
        Assert.Contains("accepts connections over TLS and answers in the application protocol.", result.Out);
    }

    [Fact]
    public async Task TlsAgainstTheSystemsRootsSaysTheSelfSignedCertificateIsNotTrusted()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartTlsAsync("app-server"), 1, "localhost", "--tls");
        Assert.Contains($"Verdict: the TLS handshake with 127.0.0.1:{port} completed, but the certificate does not chain to a root this system trusts", result.Out);
        Assert.Contains("--tls-ca FILE", result.Out);
    }

    [Fact]
    public async Task AnEchoServerWhereAppWasExpectedIsNamed()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("echo-server"), 1, "127.0.0.1");
        Assert.Contains($"Verdict: the server at 127.0.0.1:{port} sent the request back: it is an echo server, not an application server.", result.Out);
    }

    [Fact]
    public async Task AnHttpServerWhereAppWasExpectedIsNamed()
    {
        await using var server = new HandMadeServer(async (connection, stop) =>
        {
            var request = new byte[4096];
            await connection.ReceiveAsync(request, stop);
            await connection.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), stop);
            connection.Shutdown(SocketShutdown.Send);
        });
        Support.Cli.Result result = await DiagnoseAsync(1, "127.0.0.1", server.Port.ToString());
        Assert.Contains($"Verdict: the server at 127.0.0.1:{server.Port} speaks HTTP, not the application protocol: it answered \"HTTP/1.1 400 Bad Request\".", result.Out);
    }

    [Fact]
    public async Task ANameThatDoesNotResolveIsSaid()
    {
        Support.Cli.Result result = await DiagnoseAsync(1, "no-such-host.invalid", "65432");
        Assert.Contains("Verdict: the name no-such-host.invalid does not resolve to any address.", result.Out);
        Assert.DoesNotContain("connect ", result.Out);
    }

    [Fact]
    public async Task AUnixSocketIsAUsageErrorSaidOnce()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "diagnose", "unix:/tmp/app.sock");
        Assert.Equal("socketkit: HOST 'unix:/tmp/app.sock' is a Unix socket: this command needs a host name or IP address.\nTry 'socketkit diagnose --help' for usage.\n",
            result.Error.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task JsonHoldsEveryStepAndTheFinding()
    {
        (Support.Cli.Result result, int port) = await DiagnoseServerAsync(StartPlainAsync("app-server"), 1, "127.0.0.2", "--json");
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(("listening_elsewhere", false), (root.GetProperty("finding").GetString(), root.GetProperty("ok").GetBoolean()));
        JsonElement address = root.GetProperty("addresses")[0];
        Assert.Equal(("127.0.0.2", "refused"), (address.GetProperty("address").GetString(), address.GetProperty("connect").GetString()));
        JsonElement listener = Assert.Single(root.GetProperty("listeners").EnumerateArray());
        Assert.Equal(($"127.0.0.1:{port}", false), (listener.GetProperty("local").GetString(), listener.GetProperty("matches").GetBoolean()));
        Assert.StartsWith($"{Environment.ProcessId}/", listener.GetProperty("process").GetString());
        Assert.StartsWith("nothing is listening on 127.0.0.2", root.GetProperty("verdict").GetString());
    }

    [PrivilegedFact("ip", "nft")]
    public async Task ADroppedSynIsNoAnswerToTheConnectionWhileTheHostAnswersPing()
    {
        using var lab = new NetworkLab();
        using Socket listener = await lab.Server.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(lab.ServerAddress, 0));
            socket.Listen();
            return socket;
        });
        int port = listener.Port();
        // The server's side drops every SYN to the port; ping still answers.
        foreach (string[] nft in new[]
        {
            new[] { "nft", "add", "table", "inet", "wall" },
            ["nft", "add", "chain", "inet", "wall", "in", "{ type filter hook input priority 0 ; }"],
            ["nft", "add", "rule", "inet", "wall", "in", "tcp", "dport", port.ToString(), "drop"],
        })
        {
            var (code, _, error) = await NetworkLab.RunInAsync(lab.ServerNamespace, TimeSpan.FromSeconds(20), nft);
            Assert.True(code == 0, error);
        }
        var (exit, output, _) = await NetworkLab.RunInAsync(lab.ClientNamespace, TimeSpan.FromSeconds(60),
            "dotnet", Path.Combine(AppContext.BaseDirectory, "SocketKit.Cli.dll"), "diagnose", lab.ServerAddress.ToString(), port.ToString(), "--connect-timeout", "1s", "-q");
        Assert.Equal(1, exit);
        Assert.Matches($@"ping       {Regex.Escape(lab.ServerAddress.ToString())}: reply in [\d.]+ ms", output);
        Assert.Contains($"connect    {lab.ServerAddress}:{port}: timed out: no answer to the connection request within 1s", output);
        Assert.Contains($"Verdict: the connection request (SYN) to {lab.ServerAddress}:{port} got no answer in 1s, though the host answers ping: a firewall drops connections to that port.", output);
        // Not this machine's address: its socket table says nothing about that host.
        Assert.DoesNotContain("listeners", output);
    }
}
