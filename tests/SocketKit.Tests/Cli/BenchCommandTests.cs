using System.Text.Json;

namespace SocketKit.Tests.Cli;

[Tier(TestTier.Socket)]
public class BenchCommandTests
{
    [Fact]
    public async Task BenchAppAgainstTheAppServerReportsEveryVerifiedRequestAsJson()
    {
        await using var server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        var r = await Support.Cli.RunExpectingAsync(0, "bench", "app", "127.0.0.1", server.Port.ToString(), "-c", "4", "-n", "200", "--keepalive", "20", "--pipeline", "4", "--verify", "--json");
        using JsonDocument json = JsonDocument.Parse(r.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(200, root.GetProperty("completed").GetInt64());
        Assert.Empty(root.GetProperty("errors").EnumerateObject());
        Assert.True(root.GetProperty("latency_us").GetProperty("p99").GetDouble() > 0);
        Assert.True(root.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task BenchEchoPrintsThroughputLatencyAndCpu()
    {
        await using var server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        var r = await Support.Cli.RunAsync("bench", "echo", "127.0.0.1", server.Port.ToString(), "-c", "2", "-n", "100", "--size", "1000", "--verify",
            "--server-pid", Environment.ProcessId.ToString());
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("(100 in all)", r.Out);
        // Each figure is in whole microseconds, or in milliseconds with one decimal from 10 ms up (as a loaded machine can give).
        Assert.Matches(@"latency +p50=(\d+us|\d+\.\dms) p75=(\d+us|\d+\.\dms) p90=(\d+us|\d+\.\dms) p99=(\d+us|\d+\.\dms) p99\.9=(\d+us|\d+\.\dms) p99\.99=(\d+us|\d+\.\dms) max=", r.Out);
        // The histogram: rows of bars whose counts add up to every answer.
        var rows = System.Text.RegularExpressions.Regex.Matches(r.Out, @"\n    <= (\d+us|\d+\.\dms) +#* +([\d,]+) +[\d.]+%");
        Assert.InRange(rows.Count, 1, 10);
        Assert.Equal(100, rows.Sum(m => long.Parse(m.Groups[2].Value, System.Globalization.NumberStyles.AllowThousands)));
        Assert.Contains("errors       none", r.Out);
        Assert.Matches(@"server CPU +\d+% \([\d.]+ us per message\)", r.Out);
        Assert.DoesNotContain("\r", r.Error); // No live display when not on a terminal.
    }

    [Fact]
    public async Task BenchAgainstNothingSaysWhatFailedAndExitsOne()
    {
        using HeldPort held = Ports.Hold(); // Bound, never listening: connections are refused.
        int port = held.Port;
        var r = await Support.Cli.RunExpectingAsync(1, "bench", "app", "127.0.0.1", port.ToString(), "-c", "1", "-d", "300ms");
        Assert.Matches(@"requests or connections failed \(refused \d+", r.Error);
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("app")]
    public async Task BenchAgainstAServerThatNeverAnswersSaysTimedOutPrintsNoLatencyAndExitsOne(string kind)
    {
        using Socket silent = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16); // Connects complete; nothing is ever answered.
        int port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        // Each connection's requests time out one after another for the whole second; how many depends on how soon it connected.
        var r = await Support.Cli.RunExpectingAsync(1, "bench", kind, "127.0.0.1", port.ToString(), "-c", "2", "-d", "1s", "--timeout", "400ms");
        Assert.Contains("\n  latency      none: no request was answered\n", r.Out);
        Assert.DoesNotContain("p50=", r.Out);
        Assert.DoesNotContain("histogram", r.Out);
        int timedOut = int.Parse(System.Text.RegularExpressions.Regex.Match(r.Out, @"\n  errors       timed out (\d+)\n").Groups[1].Value);
        Assert.InRange(timedOut, 2, 8);
        Assert.Contains($"socketkit: {timedOut} requests or connections failed (timed out {timedOut}).", r.Error);
    }

    [Fact]
    public async Task BenchAppAgainstAnEchoServerIsNotTheApplicationProtocolAndExitsOne()
    {
        await using var server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        var r = await Support.Cli.RunExpectingAsync(1, "bench", "app", "127.0.0.1", server.Port.ToString(), "-c", "2", "-n", "30", "--json");
        using JsonDocument json = JsonDocument.Parse(r.Out);
        Assert.Equal(0, json.RootElement.GetProperty("completed").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("latency_us").ValueKind);
        Assert.Equal(30, json.RootElement.GetProperty("errors").GetProperty("not_the_application_protocol").GetInt64());
        Assert.Contains("socketkit: 30 requests or connections failed (not the application protocol 30).", r.Error);
    }

    [Fact]
    public async Task BenchKeepaliveAgainstAServerThatClosesAfterEachAnswerSaysSoAndExitsOne()
    {
        await using SocketServer server = AnswerOnceThenClose.Start();
        var r = await Support.Cli.RunExpectingAsync(1, "bench", "app", "127.0.0.1", server.Port().ToString(), "-c", "2", "-n", "40", "--keepalive", "10");
        Assert.Contains("(40 in all)", r.Out);
        Assert.Contains("\n  keep-alive   the server does not keep connections alive: 40 answers came without \"keep-alive\": true, and the server closed the connection after each", r.Out);
        Assert.Contains("\n  errors       none\n", r.Out);
        Assert.Contains("leave out --keepalive to measure one request per connection.", r.Error);
    }

    [Fact]
    public async Task BenchAtAFixedRateHoldsItWithinFivePercentAndHasATimeline()
    {
        await using var server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        var r = await Support.Cli.RunExpectingAsync(0, "bench", "echo", "127.0.0.1", server.Port.ToString(), "-c", "4", "-d", "2s", "--rate", "400", "--json");
        using JsonDocument json = JsonDocument.Parse(r.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(400, root.GetProperty("rate").GetDouble());
        Assert.InRange(root.GetProperty("sent_per_second").GetDouble(), 380, 420);
        JsonElement[] timeline = [.. root.GetProperty("timeline").EnumerateArray()];
        Assert.InRange(timeline.Length, 2, 3);
        Assert.Equal(root.GetProperty("completed").GetInt64(), timeline.Sum(s => s.GetProperty("completed").GetInt64()));
        Assert.InRange(timeline[1].GetProperty("sent").GetInt64(), 360, 440); // The first second also holds the connects.

        var text = await Support.Cli.RunExpectingAsync(0, "bench", "echo", "127.0.0.1", server.Port.ToString(), "-c", "2", "-d", "1s", "--rate", "200");
        Assert.Matches(@"\n  rate         200/s asked, (19\d|20\d|210)/s sent \(open loop: each latency counts from its request's due time\)\n", text.Out);
    }

    [Theory]
    [InlineData("-c", "0")]
    [InlineData("--pipeline", "0")]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "fast")]
    [InlineData("--timeout", "0s")]
    public async Task OutOfRangeOptionsAreUsageErrors(string option, string value)
    {
        var r = await Support.Cli.RunExpectingAsync(2, "bench", "app", "127.0.0.1", "1", option, value);
        Assert.Contains("Try 'socketkit bench app --help'", r.Error);
    }

    [Theory]
    [InlineData("--pipeline", "4", "socketkit: --rate sends one request at a time per connection: leave out --pipeline.")]
    [InlineData("--interval", "10ms", "socketkit: --rate and --interval both pace the load: give one of them.")]
    public async Task ARateWithAnotherPaceIsAUsageErrorThatSaysWhyInTheFlagsWords(string option, string value, string says)
    {
        var r = await Support.Cli.RunExpectingAsync(2, "bench", "app", "127.0.0.1", "1", "--rate", "100", option, value);
        Assert.Contains(says, r.Error);
        Assert.Contains("Try 'socketkit bench app --help'", r.Error);
    }

    [Fact]
    public async Task AServerPidThatDoesNotExistIsAUsageError()
    {
        var r = await Support.Cli.RunExpectingAsync(2, "bench", "echo", "127.0.0.1", "1", "--server-pid", int.MaxValue.ToString());
        Assert.Contains($"no process {int.MaxValue} to sample", r.Error);
    }

    [Fact]
    public async Task BenchAppOverTlsVerifiesEveryAnswerOfTheTlsAppServer()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        var r = await Support.Cli.RunAsync("bench", "app", "localhost", server.Port.ToString(), "-c", "3", "-n", "60", "--keepalive", "10", "--pipeline", "2",
            "--verify", "--tls-ca", TestCertificates.CertificatePath, "--json");
        Assert.True(r.ExitCode == 0, r.Error);
        using JsonDocument json = JsonDocument.Parse(r.Out);
        Assert.Equal(60, json.RootElement.GetProperty("completed").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("errors").EnumerateObject());
        Assert.Equal($"127.0.0.1:{server.Port}", json.RootElement.GetProperty("target").GetString());
        await server.Error.WaitForAsync(@"Accepted connection 6 from 127\.0\.0\.1:"); // 60 requests, 10 per connection: TLS all the way.
    }

    [Fact]
    public async Task BenchOverTlsAgainstTheSystemsRootsCountsEveryRefusedHandshake()
    {
        // The run must outlast the first handshake, which loads the system's roots: a handshake the deadline cuts off is not a failure.
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("echo-server");
        var r = await Support.Cli.RunExpectingAsync(1, "bench", "echo", "127.0.0.1", server.Port.ToString(), "-c", "1", "-d", "2s", "--tls");
        Assert.Matches(@"requests or connections failed \(TLS failed \d+", r.Error);
    }

    [Fact]
    public async Task BenchAppOnAUnixSocketVerifiesEveryAnswerWithoutAPort()
    {
        string path = TestTransport.NewSocketPath();
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", "app-server", "unix:" + path);
        var r = await Support.Cli.RunExpectingAsync(0, "bench", "app", "unix:" + path, "-c", "2", "-n", "40", "--verify", "--json");
        using JsonDocument json = JsonDocument.Parse(r.Out);
        Assert.Equal(40, json.RootElement.GetProperty("completed").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("errors").EnumerateObject());
        Assert.Equal("unix:" + path, json.RootElement.GetProperty("target").GetString());
    }

    [Fact]
    public async Task BenchEchoOverTlsOnAUnixSocketVerifiesEveryEcho()
    {
        string path = TestTransport.NewSocketPath();
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ",
            "echo-server", "unix:" + path, "--tls-cert", TestCertificates.CertificatePath, "--tls-key", TestCertificates.KeyPath);
        var r = await Support.Cli.RunExpectingAsync(0, "bench", "echo", "unix:" + path, "-c", "2", "-n", "50", "--size", "20000", "--verify", "--tls-insecure");
        Assert.Contains("(50 in all)", r.Out);
        Assert.Contains("errors       none", r.Out);
    }
}
