using SocketKit.Cli;

namespace SocketKit.Tests.Support;

/// <summary>Runs socketkit command lines in this process with captured output.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    /// <summary>The CLI never shows a stack trace: no frame ("   at ...") and no "Unhandled exception" in <paramref name="output"/>.</summary>
    public static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    public static async Task<Result> RunAsync(params string[] args)
    {
        var output = new WatchedWriter();
        var error = new WatchedWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Bounded even where the command would not honour its token: such a hang fails the test, not the run.
        int code = await SocketKitCli.RunAsync(args, output, error, cts.Token).WaitAsync(TimeSpan.FromSeconds(70));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs a command line and asserts that it ended with <paramref name="exitCode"/>; when it did not, the failure shows
    /// what the command wrote.
    /// </summary>
    public static async Task<Result> RunExpectingAsync(int exitCode, params string[] args)
    {
        Result result = await RunAsync(args);
        Assert.True(result.ExitCode == exitCode,
            $"socketkit {string.Join(' ', args)} exited with {result.ExitCode}, not {exitCode}\nout:\n{result.Out}\nerror:\n{result.Error}");
        return result;
    }

    /// <summary>A server command running in the background; stopping it is what Ctrl+C does.</summary>
    public sealed class RunningServer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        internal RunningServer(string[] args)
        {
            Task = SocketKitCli.RunAsync(args, Out, Error, _stop.Token);
        }

        public WatchedWriter Out { get; } = new();
        public WatchedWriter Error { get; } = new();
        public Task<int> Task { get; }
        public int Port { get; private set; }

        /// <summary>Where the server said it listens: 127.0.0.1:PORT, [::]:PORT, unix:PATH.</summary>
        public string Listening { get; private set; } = "";

        internal async Task<RunningServer> WaitUntilListeningAsync(string pattern = @"Listening on (127\.0\.0\.1:(\d+))")
        {
            var listening = Error.WaitForAsync(pattern);
            Task first = await System.Threading.Tasks.Task.WhenAny(listening, Task);
            if (first == Task)
            {
                throw new InvalidOperationException($"the server exited with {await Task}: {Error}");
            }
            System.Text.RegularExpressions.Match said = await listening;
            Listening = said.Groups[1].Value;
            Port = said.Groups.Count > 2 ? int.Parse(said.Groups[2].Value) : 0;
            return this;
        }

        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            return await Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public async ValueTask DisposeAsync()
        {
            if (!Task.IsCompleted) await StopAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Starts a server command on port 0 and waits until it says where it listens.</summary>
    public static Task<RunningServer> StartServerAsync(params string[] args) => new RunningServer(args).WaitUntilListeningAsync();

    /// <summary>
    /// Starts a server command and waits until it says where it listens, matching <paramref name="listeningPattern"/>:
    /// group 1 the address, group 2 (when there is one) the port.
    /// </summary>
    public static Task<RunningServer> StartServerListeningAsync(string listeningPattern, params string[] args) =>
        new RunningServer(args).WaitUntilListeningAsync(listeningPattern);

    /// <summary>What a server over TLS on 127.0.0.1 says when it listens: group 1 the address, group 2 the port.</summary>
    public const string TlsListening = @"Listening on (127\.0\.0\.1:(\d+)) \(TLS over";

    /// <summary>
    /// Starts a server command over TLS on 127.0.0.1 port 0 with the test certificate (<see cref="TestCertificates"/>),
    /// <paramref name="extra"/> after it, and waits until it says where it listens.
    /// </summary>
    public static Task<RunningServer> StartTlsServerAsync(string command, params string[] extra) =>
        StartServerListeningAsync(TlsListening, [command, "127.0.0.1", "0", "--tls-cert", TestCertificates.CertificatePath, "--tls-key", TestCertificates.KeyPath, .. extra]);
}
