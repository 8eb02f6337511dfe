using System.Text.RegularExpressions;

namespace SocketKit.Tests.Diagnostics;

/// <summary>netstat --watch redraws the table until Ctrl+C; --address and --process keep only the sockets asked for.</summary>
[Tier(TestTier.Socket)]
public class NetstatWatchTests
{
    [Fact]
    public async Task WatchPrintsTheTableAgainEveryIntervalUntilCtrlCAndExitsZero()
    {
        using Socket listener = LoopbackListeners.Start();
        int port = listener.Port();
        var watching = new Support.Cli.RunningServer(["netstat", "-tln", "--watch", "100ms", "--port", port.ToString()]);
        await using (watching)
        {
            string row = $@"tcp +\d+ +\d+ 127\.0\.0\.1:{port} +0\.0\.0\.0:\* +LISTEN";
            // Three tables, each after its line with the interval and the time.
            await watching.Out.WaitForAsync($@"(Every 100ms: socketkit netstat .*--watch 100ms --port {port}    \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\n\nProto[^\n]*\n{row}\n\n?){{3}}");
            Assert.Equal(0, await watching.StopAsync());
        }
        Assert.Equal("", watching.Error.ToString());
    }

    [Fact]
    public async Task WatchWithJsonPrintsOneArrayPerTableOnALine()
    {
        using Socket listener = LoopbackListeners.Start();
        var watching = new Support.Cli.RunningServer(["netstat", "-tln", "--watch", "100ms", "--port", listener.Port().ToString(), "--json"]);
        await using (watching)
        {
            await watching.Out.WaitForAsync($@"(\[\{{""proto"":""tcp""[^\n]*""local"":""127\.0\.0\.1:{listener.Port()}""[^\n]*\]\n){{2}}");
            Assert.Equal(0, await watching.StopAsync());
        }
        Assert.All(watching.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries),
            line => Assert.Equal(System.Text.Json.JsonValueKind.Array, System.Text.Json.JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact]
    public async Task AddressKeepsOnlyTheSocketsAtThatAddress()
    {
        using Socket listener = LoopbackListeners.Start();
        int port = listener.Port();
        Support.Cli.Result here = await Support.Cli.RunAsync("netstat", "-tln", "--port", port.ToString(), "--address", "127.0.0.1");
        Assert.Matches($@"127\.0\.0\.1:{port} +0\.0\.0\.0:\* +LISTEN", here.Out);
        Support.Cli.Result elsewhere = await Support.Cli.RunExpectingAsync(0, "netstat", "-tln", "--port", port.ToString(), "--address", "127.0.0.2");
        Assert.DoesNotContain($":{port}", elsewhere.Out);
        Support.Cli.Result bad = await Support.Cli.RunExpectingAsync(2, "netstat", "--address", "localhost");
        Assert.Contains("'localhost' is not an IP address for --address: use e.g. 127.0.0.1 or ::1.", bad.Error);
    }

    [Fact]
    public async Task ProcessKeepsOnlyItsSocketsByPidOrByName()
    {
        using Socket listener = LoopbackListeners.Start();
        int port = listener.Port();
        Support.Cli.Result mine = await Support.Cli.RunAsync("netstat", "-tl", "--port", port.ToString(), "--process", Environment.ProcessId.ToString());
        Match row = Regex.Match(mine.Out, $@"127\.0\.0\.1:{port} +0\.0\.0\.0:\* +LISTEN +{Environment.ProcessId}/(\S+)");
        Assert.True(row.Success, mine.Out);
        string name = row.Groups[1].Value;
        Support.Cli.Result byName = await Support.Cli.RunAsync("netstat", "-tl", "--port", port.ToString(), "--process", name);
        Assert.Contains($"{Environment.ProcessId}/{name}", byName.Out);
        // PID 1 is never this test's process.
        Support.Cli.Result other = await Support.Cli.RunExpectingAsync(0, "netstat", "-tl", "--port", port.ToString(), "--process", "1");
        Assert.DoesNotContain($":{port}", other.Out);
    }
}
