using System.Text.Json;
using SocketKit.Applications.MultiConn;
using SocketKit.Cli.Explain;
using SocketKit.Cli.Output;
using SocketKit.Cli.Tour;
using SocketKit.Diagnostics.Bench;
using SocketKit.Diagnostics.Diagnose;
using SocketKit.Diagnostics.Ping;
using SocketKit.Diagnostics.SocketTable;
using SocketKit.Diagnostics.Trace;

namespace SocketKit.Tests.Cli;

/// <summary>
/// Each command's text and JSON renderers, fed the same result object, no socket: the text is what users see, and
/// the JSON is what docs/JSON.md shows, byte for byte (its examples are read from the page itself).
/// </summary>
[Tier(TestTier.Unit)]
public class OutputRendererTests
{
    [Fact]
    public void EchoClientRendersTheEchoAsTextAndAsDocumented()
    {
        var result = new EchoClientResult(Encoding.UTF8.GetBytes("hi"), Encoding.UTF8.GetBytes("hi"));
        Assert.Equal("Received b'hi'\n", new EchoClientText().Render(result));
        Assert.Equal(DocumentedOutput("socketkit echo-client 127.0.0.1 65432 hi --json -q"), new EchoClientJson().Render(result));
    }

    [Fact]
    public void EchoClientSaysWhereAnEchoDiffers()
    {
        var different = new EchoClientResult(Encoding.UTF8.GetBytes("hello"), Encoding.UTF8.GetBytes("help"));
        Assert.Equal(3, different.FirstDifference);
        Assert.False(JsonDocument.Parse(new EchoClientJson().Render(different)).RootElement.GetProperty("echo_matches").GetBoolean());
        Assert.Equal(4, new EchoClientResult([1, 2, 3, 4], [1, 2, 3, 4, 5]).FirstDifference);
        Assert.Equal(-1, new EchoClientResult([1, 2], [1, 2]).FirstDifference);
    }

    [Fact]
    public void MultiConnClientRendersALinePerConnectionAndTheDocumentedObject()
    {
        byte[] sent = Encoding.UTF8.GetBytes("Message 1 from client.Message 2 from client.");
        var one = new MultiConnClientResult([new MultiConnResult(1, sent, sent, null)]);
        Assert.Equal(DocumentedOutput("socketkit multiconn-client 127.0.0.1 65432 1 --json -q"), new MultiConnClientJson().Render(one));

        var two = new MultiConnClientResult([new MultiConnResult(1, sent, sent, null), new MultiConnResult(2, sent, [], "the server closed the connection")]);
        Assert.Equal(
            "Connection 1 received b'Message 1 from client.Message 2 from client.'\nConnection 2 failed: the server closed the connection\n",
            new MultiConnClientText().Render(two));
        JsonElement failed = JsonDocument.Parse(new MultiConnClientJson().Render(two)).RootElement.GetProperty("connections")[1];
        Assert.Equal((2, false, "the server closed the connection"), (failed.GetProperty("id").GetInt32(), failed.GetProperty("complete").GetBoolean(), failed.GetProperty("error").GetString()));
    }

    [Fact]
    public void AppClientRendersTheReferenceLineAndTheDocumentedObject()
    {
        byte[] content = Encoding.UTF8.GetBytes("{\"result\": \"Follow the white rabbit. \U0001F430\"}");
        var search = new AppClientResult(new Message(new MessageHeader("text/json", "utf-8", content.Length), content));
        Assert.Equal("Got result: Follow the white rabbit. \U0001F430\n", new AppClientText().Render(search));
        Assert.Equal(DocumentedOutput("socketkit app-client 127.0.0.1 65432 search morpheus --json -q"), new AppClientJson().Render(search));

        byte[] binary = Encoding.UTF8.GetBytes("First 10 bytes of request: findxyz");
        var find = new AppClientResult(new Message(new MessageHeader("binary/custom-server-binary-type", "binary", binary.Length), binary));
        Assert.Equal("Got response: b'First 10 bytes of request: findxyz'\n", new AppClientText().Render(find));
        JsonElement json = JsonDocument.Parse(new AppClientJson().Render(find)).RootElement;
        Assert.Equal(binary, Convert.FromBase64String(json.GetProperty("content_base64").GetString()!));
        Assert.False(json.TryGetProperty("content", out _));
    }

    [Fact]
    public void BenchRendersTheSameRunAsLinesAndAsTheDocumentedObject()
    {
        // The run docs/JSON.md shows: 0.305 s against a closed port, 23 refusals, 97 ms of client CPU (31.8%).
        var run = new BenchResult
        {
            Options = new BenchOptions { Kind = BenchKind.Echo, EndPoint = new IPEndPoint(IPAddress.Loopback, 1), Connections = 1 },
            Elapsed = TimeSpan.FromMilliseconds(305),
            Completed = 0,
            BytesSent = 0,
            BytesReceived = 0,
            Latency = new LatencyHistogram(),
            Errors = new Dictionary<string, long> { [BenchErrors.Refused] = 23 },
            Timeline = [new BenchSecond(1, Sent: 0, Completed: 0, Errors: 23, MeanNanoseconds: 0, MaxNanoseconds: 0)],
            ClientCpu = TimeSpan.FromMilliseconds(97),
        };
        Assert.Equal(DocumentedOutput("socketkit bench echo 127.0.0.1 1 -c 1 -d 300ms --json -q"), new BenchJson().Render(run));
        string text = new BenchText().Render(run);
        Assert.Equal("""
            bench echo 64 B -> 127.0.0.1:1, 1 connections, 0.30 s
              throughput   0 msg/s, 0.00 MB/s received (0 in all)
              latency      none: no request was answered
              errors       refused 23
              client CPU   32%

            """, text);
    }

    [Fact]
    public void BenchRendersAnOpenLoopsRateHistogramAndTimeline()
    {
        var latency = new LatencyHistogram();
        for (int i = 0; i < 90; i++)
        {
            latency.Record(50_000); // 50 us
        }
        for (int i = 0; i < 10; i++)
        {
            latency.Record(800_000_000); // 800 ms: a stall the open loop charged
        }
        var run = new BenchResult
        {
            Options = new BenchOptions { Kind = BenchKind.App, EndPoint = new IPEndPoint(IPAddress.Loopback, 1), Connections = 2, KeepAlive = 10, Rate = 50 },
            Elapsed = TimeSpan.FromSeconds(2),
            SendElapsed = TimeSpan.FromSeconds(2),
            Sent = 100,
            Completed = 100,
            BytesSent = 0,
            BytesReceived = 0,
            Latency = latency,
            Errors = new Dictionary<string, long>(),
            Timeline = [new BenchSecond(1, 50, 50, 0, 80_050_000, 800_000_000)],
            ClientCpu = TimeSpan.Zero,
        };
        string text = new BenchText().Render(run);
        Assert.Contains("\n  rate         50/s asked, 50/s sent (open loop: each latency counts from its request's due time)\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  latency      p50=50us p75=50us p90=50us p99=800.0ms p99.9=800.0ms p99.99=800.0ms max=800.0ms\n", text, StringComparison.Ordinal);
        // Two ranges hold answers: the fastest with the longest bar, the slowest with a ninth of it.
        Assert.Matches(@"\n    <= 1\d\dus    #{40} {11}90 {3}90\.0%\n", text);
        Assert.Matches(@"\n    <= 800\.0ms  #{4} {36} {11}10 {3}10\.0%\n", text);
        Assert.Equal("     1s         50 sent         50 answered        0 errors  mean   80.0ms  max  800.0ms", BenchText.TimelineLine(run.Timeline[0]));
        JsonElement json = JsonDocument.Parse(new BenchJson().Render(run)).RootElement;
        Assert.Equal((50, 50), (json.GetProperty("rate").GetDouble(), json.GetProperty("sent_per_second").GetDouble()));
        Assert.Equal(100, json.GetProperty("histogram").EnumerateArray().Sum(row => row.GetProperty("count").GetInt64()));
        Assert.Equal(0, json.GetProperty("not_kept_alive").GetInt64());
        Assert.Equal(80_050, json.GetProperty("timeline")[0].GetProperty("mean_us").GetDouble());
    }

    [Fact]
    public void NetstatRendersTheTableAndTheDocumentedArray()
    {
        var listener = new SocketEntry("tcp", "LISTEN", 0, 4096, "127.0.0.1:65432", "0.0.0.0:*", 1622297) { LocalPort = 65432, RemotePort = 0 };
        var result = new NetstatResult([listener], Processes: false);
        Assert.Equal(DocumentedOutput("socketkit netstat -tln --port 65432 --json"), new NetstatJson().Render(result));
        Assert.Equal(
            "Proto    Recv-Q Send-Q Local Address           Foreign Address         State\n"
            + "tcp           0   4096 127.0.0.1:65432         0.0.0.0:*               LISTEN\n",
            new NetstatText().Render(result));
        Assert.Equal("Proto    Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
            + "tcp           0   4096 127.0.0.1:65432         0.0.0.0:*               LISTEN      -\n",
            new NetstatText().Render(result with { Processes = true }));
    }

    [Fact]
    public void ExplainRendersAnEntryAsLinesAndAsOneObject()
    {
        SocketErrorAdvice refused = SocketErrorGuide.Find("ECONNREFUSED")!;
        KnownError entry = ErrorCatalog.All.Single(e => e.Name == "ECONNREFUSED");
        var one = new ExplainResult([entry], All: false);
        // The library's guide speaks for the errors it holds, the CLI's advice says what to check: explain and the commands' errors say the same.
        string check = WhatToCheck.For(SocketErrorKind.ConnectionRefused);
        Assert.Equal($"ECONNREFUSED (errno {refused.Errno}): {refused.Summary}\n"
            + "  Linux:   \"Connection refused\"\n"
            + "  Windows: WSAECONNREFUSED (10061): No connection could be made because the target machine actively refused it.\n"
            + "  .NET:    SocketError.ConnectionRefused\n"
            + "  Python:  \"ConnectionRefusedError: [Errno 111] Connection refused\", \"ConnectionRefusedError: [WinError 10061] No connection could be made because the target machine actively refused it\"\n"
            + $"  What to check: {check}\n", new ExplainText().Render(one));
        Assert.Equal(DocumentedOutput("socketkit explain ECONNREFUSED --json"), new ExplainJson().Render(one));
        JsonElement json = Assert.Single(JsonDocument.Parse(new ExplainJson().Render(one)).RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal(("ECONNREFUSED", refused.Errno, "connection_refused", refused.Summary, check),
            (json.GetProperty("errno_name").GetString(), json.GetProperty("errno").GetInt32(), json.GetProperty("kind").GetString(),
             json.GetProperty("summary").GetString(), json.GetProperty("what_to_check").GetString()));

        var all = new ExplainResult(ErrorCatalog.All, All: true);
        Assert.Equal(ErrorCatalog.All.Count, new ExplainText().Render(all).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(ErrorCatalog.All.Count, JsonDocument.Parse(new ExplainJson().Render(all)).RootElement.GetProperty("entries").GetArrayLength());
        // Every entry of the library's guide is one of explain's, in the guide's words.
        Assert.All(SocketErrorGuide.All, advice => Assert.Equal((advice.Summary, WhatToCheck.For(advice.Kind)), ErrorCatalog.Advice(ErrorCatalog.All.Single(e => e.Name == advice.ErrnoName))));
    }

    [Fact]
    public void PingRendersTheRunAsPingDoesAndAsOneObjectAtTheEnd()
    {
        var target = new PingTarget("localhost", IPAddress.Loopback, TcpPort: 65432, Payload: 56, Timeout: TimeSpan.FromSeconds(1));
        PingProbe[] probes =
        [
            new(1, IPAddress.Loopback, PingOutcome.Replied, TimeSpan.FromMilliseconds(0.25)),
            new(2, IPAddress.Loopback, PingOutcome.Refused, TimeSpan.Zero, Kind: SocketErrorKind.ConnectionRefused, Detail: "Connection refused"),
        ];
        var statistics = new PingStatistics();
        foreach (PingProbe probe in probes)
        {
            statistics.Sent();
            if (probe.Outcome == PingOutcome.Replied)
            {
                statistics.Answered(probe.RoundTrip.TotalMilliseconds);
            }
        }
        var result = new PingResult(target, probes, statistics, TimeSpan.FromMilliseconds(1001));

        var text = new PingText(quiet: false);
        Assert.Equal("TCP PING localhost (127.0.0.1:65432)\n", text.Started(target));
        Assert.Equal("connected to 127.0.0.1:65432: seq=1 time=0.250 ms\n", text.Probed(target, probes[0]));
        Assert.Equal("refused by 127.0.0.1:65432: seq=2 (ECONNREFUSED: the host answered, nothing listens on that port)\n", text.Probed(target, probes[1]));
        Assert.Equal("\n--- localhost tcp ping statistics ---\n2 connects attempted, 1 accepted, 50% failed, time 1001ms\nrtt min/avg/max/mdev = 0.250/0.250/0.250/0.000 ms\n",
            text.Finished(result));
        Assert.Equal("", new PingText(quiet: true).Probed(target, probes[0]));

        var json = new PingJson();
        Assert.Equal("", json.Started(target) + json.Probed(target, probes[0]));
        JsonElement run = JsonDocument.Parse(json.Finished(result)).RootElement;
        Assert.Equal(("tcp", 65432, statistics.Transmitted, statistics.Received, statistics.LossPercent),
            (run.GetProperty("protocol").GetString(), run.GetProperty("port").GetInt32(), run.GetProperty("transmitted").GetInt32(), run.GetProperty("received").GetInt32(), run.GetProperty("loss_percent").GetDouble()));
        Assert.Equal(["replied", "refused"], run.GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("outcome").GetString()));
        Assert.Equal(statistics.MinMilliseconds, run.GetProperty("rtt_ms").GetProperty("min").GetDouble());
    }

    [Fact]
    public void IcmpPingHeadersSayTheBytesAsPingDoes()
    {
        var text = new PingText(quiet: false);
        Assert.Equal("PING localhost (127.0.0.1) 56(84) bytes of data.\n", text.Started(new PingTarget("localhost", IPAddress.Loopback, null, 56, TimeSpan.FromSeconds(1))));
        Assert.Equal("PING ip6-localhost (::1) 56 data bytes\n", text.Started(new PingTarget("ip6-localhost", IPAddress.IPv6Loopback, null, 56, TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void TraceEventsAreLinesWithTheTimeAndTheConnection()
    {
        var trace = new TraceText();
        Assert.Equal("09:05:03.000042 conn 2 client -> server: message 1: 146 bytes\n",
            trace.Render(new TraceEvent(new DateTime(2026, 1, 2, 9, 5, 3, DateTimeKind.Utc).AddTicks(420), 2, "client -> server: message 1: 146 bytes")));
    }

    [Fact]
    public void TourListRendersEachStepAsLinesAndAsAnObject()
    {
        var steps = new TourListResult(GuidedTour.Steps);
        string[] lines = new TourListText().Render(steps).Split('\n');
        Assert.Equal($" 1. {GuidedTour.Steps[0].Title}", lines[0]);
        Assert.Equal($"    Read: \"{GuidedTour.Steps[0].Section}\" {GuidedTour.Steps[0].Url}", lines[1]);
        JsonElement[] json = [.. JsonDocument.Parse(new TourListJson().Render(steps)).RootElement.GetProperty("steps").EnumerateArray()];
        Assert.Equal(GuidedTour.Steps.Select((s, i) => (i + 1, s.Title, s.Url)),
            json.Select(j => (j.GetProperty("step").GetInt32(), j.GetProperty("title").GetString()!, j.GetProperty("url").GetString()!)));
    }

    [Fact]
    public void DiagnoseRendersEachStepTheVerdictAndTheDocumentedObject()
    {
        var options = new DiagnoseOptions { Host = "127.0.0.2", Port = 65432 };
        var ping = new PingProbe(1, IPAddress.Parse("127.0.0.2"), PingOutcome.Replied, TimeSpan.FromMilliseconds(4.812));
        // The run docs/JSON.md shows: an app-server on 127.0.0.1:65432 (pid 15953), diagnose asked of 127.0.0.2.
        var diagnosis = new Diagnosis(options, null,
            [new AddressCheck(IPAddress.Parse("127.0.0.2"), ping, ConnectOutcome.Refused, TimeSpan.FromMilliseconds(32.34), "Connection refused: nothing is listening on that address and port.")],
            null, null, null, [new LocalListener("127.0.0.1:65432", "15953/socketkit", Matches: false)], DiagnosisFinding.ListeningElsewhere);
        DiagnoseResult result = DiagnoseResult.Of(diagnosis);
        Assert.Equal(DocumentedOutput("socketkit diagnose 127.0.0.2 65432 --json -q"), new DiagnoseJson().Render(result));
        Assert.Equal("""
            Diagnosing 127.0.0.2 port 65432: plain TCP, application protocol
              resolve    127.0.0.2 is an address
              ping       127.0.0.2: reply in 4.81 ms
              connect    127.0.0.2:65432: refused in 32.3 ms
              listeners  127.0.0.1:65432 (15953/socketkit)
            Verdict: nothing is listening on 127.0.0.2:65432, but a server listens on the same port at another address: 127.0.0.1:65432 (15953/socketkit). It is bound to that address only.
            Next step: connect to 127.0.0.1 65432, or start the server on 127.0.0.2 (0.0.0.0 or :: listens on every address).

            """.Replace("\r\n", "\n"), new DiagnoseText().Render(result));
    }

    /// <summary>The output docs/JSON.md shows under <c>$ COMMAND</c>: its indented lines, unindented, each ended by a newline.</summary>
    private static string DocumentedOutput(string command)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "JSON.md"));
        int at = Array.IndexOf(lines, "    $ " + command);
        Assert.True(at >= 0, $"docs/JSON.md shows no `{command}`");
        return string.Concat(lines.Skip(at + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l[4..] + "\n"));
    }
}
