using System.Text.RegularExpressions;
using SocketKit.Metrics;

namespace SocketKit.Tests.Hosting;

/// <summary>
/// samples/HostedAppServer run as an operator runs it: configured by environment variables, stopped by SIGTERM,
/// started by systemd (Type=notify), and watched with the real dotnet-counters.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class HostedSampleTests
{
    private static string SampleDll => Samples.Dll("HostedAppServer");

    [Fact]
    public async Task EnvironmentVariablesReconfigureItAndSigtermAnswersEveryRequestInFlightThenExitsZero()
    {
        const int InFlight = 5;
        string unixPath = Path.Combine(TestScratch.Directory, $"sample-{Guid.NewGuid():N}"[..20] + ".sock");
        using var sample = ProgramProcess.StartDll(SampleDll, new Dictionary<string, string>
        {
            // appsettings.json says 127.0.0.1:65432; the environment wins.
            ["SocketKit__Servers__app__Endpoints__0"] = "127.0.0.1:0",
            ["SocketKit__Servers__app__Endpoints__1"] = "unix:" + unixPath,
            ["SocketKit__Servers__app__Engine"] = "select",
            ["Logging__LogLevel__SocketKit"] = "Debug",
        });
        int port = int.Parse((await sample.Out.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+) \(select engine\b[^)]*\)", TestTimeouts.SampleStartup)).Groups[1].Value);
        await sample.Out.WaitForAsync($@"Listening on unix:{Regex.Escape(unixPath)} \(select engine\b[^)]*\)", TestTimeouts.SampleStartup);

        Assert.Equal("Got result: reward\n", (await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "reverse", "drawer", "--json-request", "-q")).Out);
        Assert.Equal("Got result: stressed\n", (await Support.Cli.RunAsync("app-client", "unix:" + unixPath, "reverse", "desserts", "--json-request", "-q")).Out);

        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        int half = v.Request.Length / 2;
        var clients = new Socket[InFlight];
        for (int i = 0; i < InFlight; i++)
        {
            clients[i] = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await clients[i].SendAsync(v.Request.AsMemory(0, half));
        }
        await Eventually.TrueAsync(() => Regex.Count(sample.Out.ToString(), $@"Received {half} bytes on connection") == InFlight,
            "the sample reads the first half of every request", TestTimeouts.SampleStartup);

        sample.Terminate();
        await sample.Out.WaitForAsync("Stopping: no longer accepting connections on 127.0.0.1");
        byte[][] answers = await Task.WhenAll(clients.Select(async c =>
        {
            await c.SendAsync(v.Request.AsMemory(half));
            using var timeout = new CancellationTokenSource(RawClient.Timeout);
            return await RawClient.ReadToEndAsync(c, timeout.Token);
        }));
        int exitCode = await sample.WaitForExitAsync(TestTimeouts.SampleStartup);

        Assert.All(answers, a => Assert.Equal(v.Response, a));
        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(unixPath), "the sample removes its socket file on the way out");
        foreach (Socket c in clients) c.Dispose();
    }

    [Fact]
    public async Task WrongSettingsStopItWithOneLineForEachKeyAndExitOne()
    {
        using var sample = ProgramProcess.StartDll(SampleDll, new Dictionary<string, string>
        {
            ["SocketKit__Servers__app__Endpoints__0"] = "127.0.0.1",
            ["SocketKit__Servers__app__Engine"] = "turbo",
        });
        Assert.Equal(1, await sample.WaitForExitAsync(TestTimeouts.SampleStartup));
        Assert.Equal([
            "HostedAppServer: SocketKit:Servers:app:Endpoints:0: '127.0.0.1' is not an endpoint; write HOST:PORT with an IP address (127.0.0.1:65432, [::1]:65432, localhost:65432) or unix:/path/to.sock",
            $"HostedAppServer: SocketKit:Servers:app:Engine: 'turbo' is not an engine; use one of {string.Join(", ", Enum.GetNames<EngineKind>().Select(n => n.ToLowerInvariant()))}",
        ], Lines(sample.Error));
        AssertNoStackTrace(sample);
    }

    [Theory]
    [InlineData("Timeouts__RequestTimeout", "soon", "SocketKit:Servers:app:Timeouts:RequestTimeout: 'soon' is not a duration; use 500ms, 30s, 2m or 00:00:30")]
    [InlineData("Limits__MaxContentBytes", "lots", "SocketKit:Servers:app:Limits:MaxContentBytes: 'lots' is not a size; use 16KiB, 1MiB or a number of bytes")]
    [InlineData("Limits__MaxHeaderBytes", "1MiB", "SocketKit:Servers:app:Limits:MaxHeaderBytes: 1MiB must be 1 to 65535 bytes")]
    [InlineData("Workers", "many", "SocketKit:Servers:app:Workers: 'many' is not a whole number")]
    [InlineData("ProxyProtocol", "maybe", "SocketKit:Servers:app:ProxyProtocol: 'maybe' is not true or false")]
    public async Task ABadSettingIsOneLineNamingItsKeyWithExitOneAndNoStackTrace(string key, string value, string line)
    {
        using var sample = ProgramProcess.StartDll(SampleDll, new Dictionary<string, string> { [$"SocketKit__Servers__app__{key}"] = value });
        Assert.Equal(1, await sample.WaitForExitAsync(TestTimeouts.SampleStartup));
        Assert.Equal(["HostedAppServer: " + line], Lines(sample.Error));
        AssertNoStackTrace(sample);
    }

    [Fact]
    public async Task AnAddressInUseIsOneLineWithExitOneAndNoStackTrace()
    {
        using Socket taken = LoopbackListeners.Start();
        int port = taken.Port();
        using var sample = ProgramProcess.StartDll(SampleDll, new Dictionary<string, string> { ["SocketKit__Servers__app__Endpoints__0"] = $"127.0.0.1:{port}" });
        Assert.Equal(1, await sample.WaitForExitAsync(TestTimeouts.SampleStartup));
        string line = Assert.Single(Lines(sample.Error));
        Assert.StartsWith($"HostedAppServer: SocketKit:Servers:app:Endpoints: address already in use: another socket is bound to 127.0.0.1:{port}", line);
        AssertNoStackTrace(sample);
    }

    [Fact]
    public async Task StartedFromAnotherFolderItReadsItsAppsettingsAndTakesTheCommandLinesSpelling()
    {
        // The spelling the command line takes, which configuration's own binder refused (exit 134, a stack trace).
        using var sample = new ProgramProcess("dotnet", [SampleDll], new Dictionary<string, string>
        {
            ["SocketKit__Servers__app__Endpoints__0"] = "127.0.0.1:0",
            ["SocketKit__Servers__app__Timeouts__RequestTimeout"] = "30s",
            ["SocketKit__Servers__app__Limits__MaxContentBytes"] = "1MiB",
        }, TestScratch.Directory);
        // appsettings.json asks the console for single lines with a time first: found beside the program, not in the
        // folder it was started from. It names no engine: the default one serves.
        int port = int.Parse((await sample.Out.WaitForAsync(@"(?m)^\d\d:\d\d:\d\d info: SocketKit\.Servers\.app\[30\] Listening on 127\.0\.0\.1:(\d+) \(select engine", TestTimeouts.SampleStartup)).Groups[1].Value);
        Assert.Equal("Got result: reward\n", (await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "reverse", "drawer", "--json-request", "-q")).Out);
        sample.Terminate();
        Assert.Equal(0, await sample.WaitForExitAsync(TestTimeouts.SampleStartup));
    }

    private static string[] Lines(WatchedWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void AssertNoStackTrace(ProgramProcess sample)
    {
        string all = sample.Out + "\n" + sample.Error;
        Support.Cli.AssertNoStackTrace(all);
        Assert.DoesNotContain("Hosting failed to start", all);
    }

    [PrivilegedFact("unshare")]
    public async Task UnderSystemdItSaysReadyOnlyOnceEveryEndpointIsBoundAndStoppingOnSigterm()
    {
        // systemd's notify protocol: the service manager owns a datagram socket and names it in NOTIFY_SOCKET.
        string notifyPath = Path.Combine(TestScratch.Directory, $"notify-{Guid.NewGuid():N}"[..20]);
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        string[] unixPaths = [.. Enumerable.Range(0, 2).Select(i => Path.Combine(TestScratch.Directory, $"sd{i}-{Guid.NewGuid():N}"[..20] + ".sock"))];

        // .NET takes itself for a systemd service when systemd is its parent or when it is PID 1 with NOTIFY_SOCKET
        // set (a service's container): a PID namespace of its own makes the sample PID 1, as it would be there.
        // --kill-child=SIGTERM: terminating unshare passes SIGTERM on to the sample, as systemd's stop would.
        using var sample = new ProgramProcess("unshare", ["--pid", "--fork", "--kill-child=SIGTERM", "dotnet", SampleDll], new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notifyPath,
            ["SocketKit__Servers__app__Endpoints__0"] = "unix:" + unixPaths[0],
            ["SocketKit__Servers__app__Endpoints__1"] = "unix:" + unixPaths[1],
            ["SocketKit__Servers__app__Endpoints__2"] = "127.0.0.1:0",
        }, Path.GetDirectoryName(SampleDll));

        Assert.Equal("READY=1", await ReceiveAsync(notify, sample));
        // Ready means every endpoint answers now, with no wait.
        foreach (string path in unixPaths)
        {
            Message answer = await AppClient.RequestAsync("unix:" + path, 0, AppRequests.Json("reverse", "live")).WaitAsync(TestTimeouts.SampleStartup);
            Assert.Equal("{\"result\": \"evil\"}", Encoding.UTF8.GetString(answer.Content.Span));
        }
        int port = int.Parse((await sample.Out.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+)", TestTimeouts.SampleStartup)).Groups[1].Value);
        using (Socket tcp = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            Assert.True(tcp.Connected);
        }

        // unshare ignores SIGTERM while it waits, as systemd would signal the service itself: signal the sample.
        ProgramProcess.Terminate(sample.ChildIds.Single());
        Assert.Equal("STOPPING=1", await ReceiveAsync(notify, sample));
        await sample.WaitForExitAsync(TestTimeouts.SampleStartup);
    }

    [ExternalFact("dotnet-counters")]
    public async Task DotnetCountersCollectsTheSocketKitServerInstrumentsWithTheirValues()
    {
        string counters = DotnetCounters.Program;
        using var sample = ProgramProcess.StartDll(SampleDll, new Dictionary<string, string> { ["SocketKit__Servers__app__Endpoints__0"] = "127.0.0.1:0" });
        int port = int.Parse((await sample.Out.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+)", TestTimeouts.SampleStartup)).Groups[1].Value);
        await using AppClient asking = await AppClient.ConnectAsync("127.0.0.1", port);

        string csv = Path.Combine(TestScratch.Directory, $"counters-{Guid.NewGuid():N}.csv");
        using var collect = new ProgramProcess(counters, ["collect", "-p", sample.Id.ToString(), "--counters", SocketKitMetrics.MeterName,
            "--refresh-interval", "1", "--duration", "00:00:00:06", "--format", "csv", "-o", csv]);
        await collect.Out.WaitForAsync("Starting a counter session", TestTimeouts.SampleStartup);

        // An up-down counter's value, as an EventPipe session sees it, is what changed since the session began: open
        // connections one by one while it runs, and ask on a kept-alive connection, so both move under its eyes.
        var opened = new List<Socket>();
        int sent = 0;
        while (!collect.HasExited)
        {
            opened.Add(await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)));
            await asking.SendAsync(AppRequests.Json("reverse", "stressed", keepAlive: true)).WaitAsync(TestTimeouts.SampleStartup);
            sent++;
            await Task.Delay(250);
        }
        Assert.Equal(0, await collect.WaitForExitAsync(TestTimeouts.SampleStartup));

        // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; a name carries its unit and tags:
        // socketkit.server.requests ({request} / 1 sec)[network.transport=tcp;server.port=N;socketkit.request.action=reverse],Rate,3
        string written = File.ReadAllText(csv);
        var rows = written.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Trim().Split(','))
            .Where(r => r.Length == 5 && r[1] == SocketKitMetrics.MeterName).ToList();
        double[] Values(string instrument, string tag = "") => [.. rows
            .Where(r => r[2].StartsWith(instrument + " ", StringComparison.Ordinal) && r[2].Contains($"server.port={port}", StringComparison.Ordinal) && r[2].Contains(tag, StringComparison.Ordinal))
            .Select(r => double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture))];

        double[] open = Values(SocketKitMetrics.ActiveConnections);
        Assert.True(open.Length > 0, $"no {SocketKitMetrics.ActiveConnections} for port {port} in what dotnet-counters wrote:\n{written}");
        Assert.Equal(open.Order(), open); // connections only opened meanwhile
        Assert.InRange(open[^1], 1, opened.Count);
        double[] reverses = Values(SocketKitMetrics.Requests, "socketkit.request.action=reverse");
        Assert.True(reverses.Length > 0, $"no reverse requests counted in:\n{written}");
        Assert.InRange(reverses.Sum(), 1, sent);
        Assert.All(Values(SocketKitMetrics.BytesReceived), b => Assert.True(b >= 0));
        Assert.True(Values(SocketKitMetrics.BytesReceived).Sum() > 0, "bytes received are counted");
        Assert.NotEmpty(Values(SocketKitMetrics.RequestDuration, "Percentile=50"));
        foreach (Socket s in opened) s.Dispose();
    }

    private static async Task<string> ReceiveAsync(Socket notify, ProgramProcess sample)
    {
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TestTimeouts.SampleStartup);
        try
        {
            int n = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, n).Trim();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification within {TestTimeouts.SampleStartup}; the sample wrote:\n{sample.Out}\n{sample.Error}");
        }
    }
}
