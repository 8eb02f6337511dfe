using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketKit.Cli.OptionGroups;
using SocketKit.Hosting;
using SocketKit.Tests.Settings;
using SocketKit.Transport.Settings;

namespace SocketKit.Tests.Hosting;

/// <summary>
/// A hosted server configured as the command line is, its problems said in one line each with exit 1
/// (<see cref="SocketKitHostExtensions.RunSocketKitAsync"/>), and what its default log holds.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class HostedSettingsTests
{
    [Fact]
    public async Task EverySettingGivenInTheCommandLinesSpellingConfiguresTheServerAsTheFlagsDo()
    {
        var configuration = new Dictionary<string, string?> { ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0" };
        var args = new List<string>();
        foreach (ServerSetting setting in ServerSettings.All)
        {
            string value = ServerSettingsModelTests.OtherValue(setting);
            configuration[$"SocketKit:Servers:app:{setting.Key}"] = value;
            args.AddRange(setting.Kind == SettingKind.Switch ? [ServerFlags.FlagOf(setting)] : [ServerFlags.FlagOf(setting), value]);
        }
        var command = new System.CommandLine.Command("app-server");
        var flags = new ServerFlags();
        flags.AddTo(command);
        System.CommandLine.ParseResult parsed = command.Parse(args);
        Assert.Empty(parsed.Errors);
        ServerSettings fromFlags = flags.Read(parsed);

        using IHost host = Build(configuration, services => services.AddSocketKitServer("app"), out _);
        ServerSettings configured = host.Services.GetRequiredService<IOptionsMonitor<SocketKitServerOptions>>().Get("app").Settings;
        Assert.Equal(fromFlags, configured);
        Assert.All(ServerSettings.All, s => Assert.NotEqual(s.DefaultText, s.Format(configured)));

        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        SocketKitHostedServer server = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app");
        // PROXY is on: the client's address comes first, then the tutorial's conversation.
        var endPoint = (IPEndPoint)server.LocalEndPoints.Single();
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        byte[] request = [.. Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.7 127.0.0.1 56324 {endPoint.Port}\r\n"), .. v.Request];
        Assert.Equal(v.Response, await RawClient.ExchangeUntilCloseAsync(endPoint, request));
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public async Task TwoServersWithoutEndpointsAreTwoLinesAndExitOneWithoutStartingTheHost()
    {
        using IHost host = Build(new(), services =>
        {
            services.AddSocketKitServer("first");
            services.AddSocketKitServer("second").UseEcho();
        }, out LogCapture log);
        var error = new StringWriter();

        Assert.Equal(1, await host.RunSocketKitAsync(error).WaitAsync(TestTimeouts.Limit));

        string program = AppDomain.CurrentDomain.FriendlyName;
        Assert.Equal([
            $"{program}: SocketKit:Servers:first:Endpoints: no endpoint to listen on; set SocketKit:Servers:first:Endpoints:0 to 127.0.0.1:65432, [::1]:65432 or unix:/run/first.sock",
            $"{program}: SocketKit:Servers:second:Endpoints: no endpoint to listen on; set SocketKit:Servers:second:Endpoints:0 to 127.0.0.1:65432, [::1]:65432 or unix:/run/second.sock",
        ], Lines(error));
        Assert.Empty(log.Lines);
    }

    [Fact]
    public async Task AnAddressInUseIsOneLineNamingTheKeyAndTheLogHoldsNoStackTrace()
    {
        using Socket taken = LoopbackListeners.Start();
        int port = taken.Port();
        using IHost host = Build(new() { ["SocketKit:Servers:app:Endpoints:0"] = $"127.0.0.1:{port}" }, services => services.AddSocketKitServer("app"), out LogCapture log);
        var error = new StringWriter();

        Assert.Equal(1, await host.RunSocketKitAsync(error).WaitAsync(TestTimeouts.Limit));

        string line = Assert.Single(Lines(error));
        Assert.StartsWith($"{AppDomain.CurrentDomain.FriendlyName}: SocketKit:Servers:app:Endpoints: address already in use", line);
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.DoesNotContain(log.Lines, l => l.Contains("Hosting failed to start", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AtDebugAnAddressInUseIsStillOneLineAndTheLogHoldsTheHostsStackTraceToo()
    {
        using Socket taken = LoopbackListeners.Start();
        int port = taken.Port();
        LogCapture log = LogCapture.AllLevels();
        using IHost host = TestHosts.Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = $"127.0.0.1:{port}",
            ["Logging:LogLevel:SocketKit"] = "Debug",
        }, services => services.AddSocketKitServer("app"), log);
        var error = new StringWriter();

        Assert.Equal(1, await host.RunSocketKitAsync(error).WaitAsync(TestTimeouts.Limit));

        Assert.Single(Lines(error));
        Assert.Contains(log.Lines, l => l.Contains("Hosting failed to start", StringComparison.Ordinal) && l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AtTheDefaultLevelTheLogHoldsConnectionsButNoContentAndNoLineOverTheBound()
    {
        const string Secret = "do-not-log-me";
        string huge = Secret + new string('x', 1024 * 1024);
        LogCapture log = LogCapture.AllLevels();
        using IHost host = await StartWithRoomForAMebibyteAsync(log, logLevel: null);
        var endPoint = (IPEndPoint)host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints.Single();

        Message answer = await AskAsync(endPoint.Port, huge);
        Assert.Contains(Secret, Encoding.UTF8.GetString(answer.Content.Span)); // the reply carries the value back
        // A short bench with the default logging: many requests, each on its own connection, as the reference does.
        await Support.Cli.RunExpectingAsync(0, "bench", "app", "127.0.0.1", endPoint.Port.ToString(), "--duration", "2s", "--connections", "4", "--value", Secret, "-q");
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);

        string[] lines = [.. log.Lines];
        int accepted = lines.Count(l => l.Contains("Accepted connection", StringComparison.Ordinal));
        Assert.True(accepted > 1, $"a line per accepted connection, got {accepted}");
        Assert.Equal(accepted, lines.Count(l => l.Contains("Closing connection", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal) || l.Contains("Received request", StringComparison.Ordinal) || l.Contains("Sending response", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= MaxLine, $"a line of {l.Length} characters: {l[..Math.Min(200, l.Length)]}..."));
    }

    [Fact]
    public async Task AtDebugTheContentIsLoggedAsABoundedPreview()
    {
        string huge = new('y', 1024 * 1024);
        LogCapture log = LogCapture.AllLevels();
        using IHost host = await StartWithRoomForAMebibyteAsync(log, logLevel: "Debug");
        var endPoint = (IPEndPoint)host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints.Single();
        await AskAsync(endPoint.Port, huge);
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);

        string received = Assert.Single(log.Lines, l => l.Contains("Received request", StringComparison.Ordinal));
        Assert.Matches(@"Received request \{""action"": ""search"", ""value"": ""y+ \.\.\. \([\d,]+ more bytes\) on connection 1$", received);
        Assert.Contains(log.Lines, l => l.Contains("Sending response", StringComparison.Ordinal) && l.Contains("more bytes)", StringComparison.Ordinal));
        Assert.All(log.Lines, l => Assert.True(l.Length <= MaxLine, $"a line of {l.Length} characters"));
    }

    /// <summary>
    /// A started host whose one server takes a mebibyte's value and sends it back (content up to 2MiB, a 4MiB send
    /// buffer), logging SocketKit to <paramref name="log"/> at <paramref name="logLevel"/> (the host's default when null).
    /// </summary>
    private static async Task<IHost> StartWithRoomForAMebibyteAsync(LogCapture log, string? logLevel)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:app:Limits:MaxContentBytes"] = "2MiB",
            ["SocketKit:Servers:app:Limits:MaxSendBufferBytes"] = "4MiB",
        };
        if (logLevel is not null)
        {
            settings["Logging:LogLevel:SocketKit"] = logLevel;
        }
        IHost host = TestHosts.Build(settings, services => services.AddSocketKitServer("app"), log);
        try
        {
            await host.StartAsync().WaitAsync(TestTimeouts.Limit);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A log line's bound: a content preview at its longest, and room for the rest of the line.</summary>
    internal const int MaxLine = ContentPreview.MaxChars + 200;

    private static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection> register, out LogCapture log) =>
        TestHosts.Build(settings, register, out log);

    /// <summary>One request with a value too big for a client's default limits (its answer carries the value back).</summary>
    internal static async Task<Message> AskAsync(int port, string value)
    {
        await using AppClient client = await AppClient.ConnectAsync("127.0.0.1", port, limits: new ProtocolLimits { MaxContentBytes = 2 * 1024 * 1024 });
        return await client.SendAsync(AppRequests.Json("search", value)).WaitAsync(TimeSpan.FromSeconds(20));
    }
}
