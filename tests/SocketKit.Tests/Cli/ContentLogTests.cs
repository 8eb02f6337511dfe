using SocketKit.Tests.Hosting;

namespace SocketKit.Tests.Cli;

/// <summary>
/// The command line keeps the tutorial's lines (each request and response, at the default level) but shows content as a
/// bounded preview: no line grows with what a client sends.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class ContentLogTests
{
    [Fact]
    public async Task AOneMebibyteValueIsShownAsAPreviewAndHowManyBytesMore()
    {
        string huge = new('z', 1024 * 1024);
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--max-content-bytes", "2MiB", "--max-send-buffer-bytes", "4MiB");
        Message answer = await HostedSettingsTests.AskAsync(server.Port, huge);
        Assert.Contains(huge, Encoding.UTF8.GetString(answer.Content.Span));
        await server.Error.WaitForAsync(@"Closing connection 1 to ");
        await server.StopAsync();

        string[] lines = server.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string received = Assert.Single(lines, l => l.StartsWith("Received request", StringComparison.Ordinal));
        int shown = received.Count(c => c == 'z');
        Assert.Equal(ContentPreview.MaxBytes - "{\"action\": \"search\", \"value\": \"".Length, shown);
        Assert.EndsWith(FormattableString.Invariant($" ... ({(huge.Length + 2 + "{\"action\": \"search\", \"value\": \"".Length) - ContentPreview.MaxBytes:N0} more bytes) on connection 1"), received);
        Assert.Single(lines, l => l.StartsWith("Sending response", StringComparison.Ordinal) && l.Contains("more bytes)", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= HostedSettingsTests.MaxLine, $"a line of {l.Length} characters"));
    }

    [Fact]
    public async Task AShortBenchWithDefaultLoggingWritesTheTutorialsLinesAndNoneOverTheBound()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        await Support.Cli.RunExpectingAsync(0, "bench", "app", "127.0.0.1", server.Port.ToString(), "--duration", "2s", "--connections", "4", "--value", new string('v', 4096), "-q");
        await server.StopAsync();

        string[] lines = server.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int requests = lines.Count(l => l.StartsWith("Received request", StringComparison.Ordinal));
        Assert.True(requests > 1, $"the tutorial's line per request, got {requests}");
        Assert.Equal(requests, lines.Count(l => l.StartsWith("Sending response", StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.True(l.Length <= HostedSettingsTests.MaxLine, $"a line of {l.Length} characters"));
    }

    [Fact]
    public async Task TwoLoopsLoggingToStandardErrorAtOnceWriteEveryLineWholeAndLoseNone()
    {
        // A process of its own, so its log goes to a real standard error (a pipe here), in batches.
        using CliProcess server = await CliProcess.StartServerAsync("app-server", "127.0.0.1", "0", "--loops", "2");
        Support.Cli.Result bench = await Support.Cli.RunAsync("bench", "app", "127.0.0.1", server.Port.ToString(), "--connections", "8", "--keepalive", "500", "-n", "10000", "--duration", "20s", "-q");
        Assert.True(bench.ExitCode == 0, bench.Error + bench.Out);
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TestTimeouts.Limit));

        string[] lines = server.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] shapes =
        [
            @"^Listening on 127\.0\.0\.1:\d+ \(select engine, 2 loops\)$",
            @"^Accepted connection \d+ from 127\.0\.0\.1:\d+$",
            @"^Received request \{""action"": ""search"", ""value"": ""morpheus""\} on connection \d+$",
            @"^Sending response \{""result"": ""Follow the white rabbit\. " + "\U0001F430" + @"""\} on connection \d+$",
            @"^Closing connection \d+ to 127\.0\.0\.1:\d+ \([^()]+\)$",
            @"^Caught interrupt, exiting$",
            @"^Stopping: no longer accepting connections on 127\.0\.0\.1:\d+$",
        ];
        Assert.All(lines, l => Assert.True(shapes.Any(shape => System.Text.RegularExpressions.Regex.IsMatch(l, shape)), $"not a whole line: {l}"));
        int requests = lines.Count(l => l.StartsWith("Received request", StringComparison.Ordinal));
        Assert.True(requests >= 1000, $"{requests} requests logged");
        Assert.Equal(requests, lines.Count(l => l.StartsWith("Sending response", StringComparison.Ordinal)));
        // Each connection's lines in its order: accepted, then its requests and responses in turn, then closed.
        foreach (IGrouping<string, string> connection in lines.Where(l => l.Contains("connection ", StringComparison.Ordinal))
            .GroupBy(l => System.Text.RegularExpressions.Regex.Match(l, @"connection (\d+)").Groups[1].Value))
        {
            string[] own = [.. connection];
            Assert.StartsWith("Accepted", own[0], StringComparison.Ordinal);
            Assert.StartsWith("Closing", own[^1], StringComparison.Ordinal);
            for (int i = 1; i < own.Length - 1; i++)
            {
                Assert.StartsWith(i % 2 == 1 ? "Received request" : "Sending response", own[i], StringComparison.Ordinal);
            }
        }
    }
}
