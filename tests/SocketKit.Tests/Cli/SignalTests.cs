namespace SocketKit.Tests.Cli;

/// <summary>
/// Ctrl+C and SIGTERM, sent for real to socketkit in a process of its own, stop a client within a second in any
/// state: waiting for an answer, for the TLS handshake. Exit 128 + the signal, and the log says "interrupted".
/// </summary>
[Tier(TestTier.Socket)]
public class SignalTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    /// <summary>A loopback server that accepts and reads, and never answers: every client waits on it until stopped.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _accepted = [];
        private readonly CancellationTokenSource _stop = new();
        private int _bytes;

        public SilentServer()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
            _ = AcceptAsync();
        }

        public string Port => ((IPEndPoint)_listener.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>How many bytes the clients have sent: once there are some, a client is waiting for its answer.</summary>
        public int BytesReceived => Volatile.Read(ref _bytes);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    Socket client = await _listener.AcceptAsync(_stop.Token);
                    lock (_accepted) _accepted.Add(client);
                    _ = ReadAsync(client);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
        }

        private async Task ReadAsync(Socket client)
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await client.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    Interlocked.Add(ref _bytes, n);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
            lock (_accepted) _accepted.ForEach(s => s.Dispose());
            _stop.Dispose();
        }
    }

    public static TheoryData<string, int, string[]> Cases() => new()
    {
        // Waiting for the echo, after sending.
        { "echo-client", CliProcess.SigInt, ["echo-client", "127.0.0.1", "{port}", "never echoed"] },
        { "echo-client", CliProcess.SigTerm, ["echo-client", "127.0.0.1", "{port}", "never echoed"] },
        // Waiting for a response, after sending a request.
        { "app-client", CliProcess.SigInt, ["app-client", "127.0.0.1", "{port}", "search", "ring"] },
        { "app-client", CliProcess.SigTerm, ["app-client", "127.0.0.1", "{port}", "search", "ring"] },
        // Several connections, each waiting for its echo.
        { "multiconn-client", CliProcess.SigInt, ["multiconn-client", "127.0.0.1", "{port}", "2"] },
        { "multiconn-client", CliProcess.SigTerm, ["multiconn-client", "127.0.0.1", "{port}", "2"] },
        // Handshaking: the ClientHello is sent and no ServerHello will come.
        { "echo-client --tls", CliProcess.SigInt, ["echo-client", "127.0.0.1", "{port}", "hello", "--tls-insecure"] },
        { "multiconn-client --tls", CliProcess.SigTerm, ["multiconn-client", "127.0.0.1", "{port}", "2", "--tls-insecure"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ASignalStopsAWaitingClientWithinASecond(string what, int signal, string[] args)
    {
        using var server = new SilentServer();
        using CliProcess client = CliProcess.Start([.. args.Select(a => a == "{port}" ? server.Port : a)]);
        // Waiting for the answer: the server has the client's bytes (all of them for the echo client's message).
        await Eventually.TrueAsync(() => server.BytesReceived > 0, $"{what} sends and waits", TimeSpan.FromSeconds(30));

        await AssertStopsWithinASecondAsync(client, signal, what);
        string error = client.Error.ToString();
        Assert.Contains("interrupted", error);
        Assert.DoesNotContain("client done", error);
        Assert.DoesNotContain("echo complete", error);
        Assert.DoesNotContain("did not get their whole echo", error);
        Assert.DoesNotContain("timed out", error);
    }

    [Theory]
    [InlineData(CliProcess.SigInt)]
    [InlineData(CliProcess.SigTerm)]
    public async Task ASignalStopsAClientStillConnectingWithinASecond(int signal)
    {
        // A listener that never accepts, its queue full: the kernel drops further SYNs, so a connect waits.
        using Socket listener = LoopbackListeners.Start(1);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var queued = new List<Socket>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try
                {
                    await filler.ConnectAsync(endPoint, attempt.Token);
                    queued.Add(filler);
                }
                catch (OperationCanceledException)
                {
                    filler.Dispose(); // Its SYN was dropped: the queue is full.
                    break;
                }
            }
            using CliProcess client = CliProcess.Start("echo-client", "127.0.0.1", endPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "hello",
                "--connect-timeout", "30s");
            // Connecting: the client's socket is in SYN-SENT to the listener, the only one there.
            await Eventually.TrueAsync(() => SynSent(endPoint.Port) == 1, "echo-client is connecting", TimeSpan.FromSeconds(30));

            await AssertStopsWithinASecondAsync(client, signal, "echo-client");
            Assert.Contains("interrupted", client.Error.ToString());
            Assert.DoesNotContain("timed out", client.Error.ToString());
        }
        finally
        {
            queued.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Sends <paramref name="signal"/>: the client must exit with 128 + the signal's number within <see cref="Within"/>.</summary>
    private static async Task AssertStopsWithinASecondAsync(CliProcess client, int signal, string what)
    {
        var clock = Stopwatch.StartNew();
        client.Signal(signal);
        int code = await client.WaitForExitAsync(TimeSpan.FromSeconds(10));
        clock.Stop();
        Assert.Equal(128 + signal, code);
        Assert.True(clock.Elapsed < Within, $"{what} took {clock.Elapsed.TotalMilliseconds:0}ms to stop");
    }

    private static int SynSent(int port) =>
        SocketKit.Diagnostics.SocketTable.SocketTableReader.Read(new SocketKit.Diagnostics.SocketTable.SocketTableQuery { Tcp = true, All = true, Port = port })
            .Entries.Count(e => e.State == "SYN_SENT" && e.RemotePort == port);
}
