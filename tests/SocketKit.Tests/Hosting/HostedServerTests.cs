using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketKit.Hosting;
using SocketKit.Metrics;

namespace SocketKit.Tests.Hosting;

/// <summary>SocketKit servers in a real Generic Host, configured as an application configures them.</summary>
[Tier(TestTier.Socket)]
public sealed class HostedServerTests
{
    [Fact]
    public async Task AnAppServerFromConfigurationListensOnIPv4IPv6AndAUnixSocketAndAnswersItsActions()
    {
        string unixPath = Path.Combine(TestScratch.Directory, $"hosted-{Guid.NewGuid():N}"[..20] + ".sock");
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:app:Endpoints:1"] = "[::1]:0",
            ["SocketKit:Servers:app:Endpoints:2"] = "unix:" + unixPath,
        }, services => services.AddSocketKitServer("app").MapAction("reverse", Reverse), out LogCapture log);

        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        SocketKitHostedServer server = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app");
        Assert.Equal(3, server.LocalEndPoints.Count);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)server.LocalEndPoints[0]).Address);
        Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)server.LocalEndPoints[1]).Address);
        Assert.Equal("unix:" + unixPath, EndPoints.Format(server.LocalEndPoints[2]));

        foreach (EndPoint endPoint in server.LocalEndPoints)
        {
            Assert.Equal("desserts", await AskAsync(endPoint, "reverse", "stressed"));
        }
        // The tutorial's handlers come with it.
        Assert.StartsWith("In the caves beneath the Misty Mountains.", await AskAsync(server.LocalEndPoints[0], "search", "ring"));

        HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        HealthReportEntry entry = health.Entries["socketkit:app"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        foreach (EndPoint endPoint in server.LocalEndPoints)
        {
            Assert.Contains(EndPoints.Format(endPoint), entry.Description);
        }
        Assert.Contains(log.Lines, l => l.Contains("SocketKit.Servers.app: Listening on [::1]:", StringComparison.Ordinal));

        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
        Assert.Equal(SocketKitServerState.Stopped, server.State);
        Assert.Equal(HealthStatus.Unhealthy, (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["socketkit:app"].Status);
        Assert.False(File.Exists(unixPath), "the stopped server should remove its socket file");
    }

    [Fact]
    public async Task EchoAndCustomHandlerServersRunSideBySideWithTheirOwnSettings()
    {
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:echo:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:greeter:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:greeter:Workers"] = "2",
        }, services =>
        {
            services.AddSingleton(new Greeting("hello from the container\n"));
            services.AddSocketKitServer("echo").UseEcho();
            services.AddSocketKitServer("greeter").UseHandler((provider, _) => new GreetingHandler(provider.GetRequiredService<Greeting>()));
        }, out _);

        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        EndPoint echo = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("echo").LocalEndPoints.Single();
        EndPoint greeter = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("greeter").LocalEndPoints.Single();
        byte[] sent = Encoding.ASCII.GetBytes("Hello, world");
        Assert.Equal(sent, await RawClient.ExchangeUntilCloseAsync(echo, sent, halfClose: true));
        Assert.Equal("hello from the container\n", Encoding.ASCII.GetString(await RawClient.ExchangeUntilCloseAsync(greeter, "hi"u8.ToArray())));
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public async Task TlsCertificatesAndThePROXYProtocolComeFromConfiguration()
    {
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:secure:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:secure:Tls:CertificatePath"] = TestCertificates.CertificatePath,
            ["SocketKit:Servers:secure:Tls:KeyPath"] = TestCertificates.KeyPath,
            ["SocketKit:Servers:secure:Timeouts:HandshakeTimeout"] = "00:00:05",
            ["SocketKit:Servers:proxied:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:proxied:ProxyProtocol"] = "true",
        }, services =>
        {
            services.AddSocketKitServer("secure").MapAction("reverse", Reverse);
            services.AddSocketKitServer("proxied").UseHandler((_, connection) => new GreetingHandler(new Greeting($"you are {connection.Remote}")));
        }, out _);
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);

        var secure = (IPEndPoint)host.Services.GetRequiredKeyedService<SocketKitHostedServer>("secure").LocalEndPoints.Single();
        var tls = new SocketKit.Applications.ClientOptions { Tls = new SocketKit.Transport.Tls.TlsClientOptions { TrustedRoots = [TestCertificates.Server] } };
        Message answer = await AppClient.RequestAsync("127.0.0.1", secure.Port, AppRequests.Json("reverse", "stressed"), tls).WaitAsync(TestTimeouts.Limit);
        Assert.Equal("{\"result\": \"desserts\"}", Encoding.UTF8.GetString(answer.Content.Span));

        EndPoint proxied = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("proxied").LocalEndPoints.Single();
        byte[] relayed = Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.7 127.0.0.1 56324 {((IPEndPoint)proxied).Port}\r\nhi");
        Assert.Equal("you are 192.0.2.7:56324", Encoding.ASCII.GetString(await RawClient.ExchangeUntilCloseAsync(proxied, relayed)));
        Assert.Empty(await RawClient.ExchangeUntilCloseAsync(proxied, "hi"u8.ToArray())); // no header: refused
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public async Task InvalidSettingsStopTheHostBeforeAnythingIsBoundAndNameEveryKey()
    {
        string unixPath = Path.Combine(TestScratch.Directory, $"invalid-{Guid.NewGuid():N}"[..20] + ".sock");
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1",
            ["SocketKit:Servers:app:Endpoints:1"] = "unix:" + unixPath,
            ["SocketKit:Servers:app:Engine"] = "turbo",
            ["SocketKit:Servers:app:Loops"] = "0",
            ["SocketKit:Servers:app:Workers"] = "2",
            ["SocketKit:Servers:app:Limits:MaxConnections"] = "0",
            ["SocketKit:Servers:app:Timeouts:IdleTimeout"] = "-00:00:01",
            ["SocketKit:Servers:app:Tls:CertificatePath"] = "/etc/ssl/app.pem",
        }, services => services.AddSocketKitServer("app"), out _);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestTimeouts.Limit));
        string message = string.Join('\n', error.Failures);
        Assert.Contains("SocketKit:Servers:app:Endpoints:0: '127.0.0.1' is not an endpoint", message);
        Assert.Contains($"SocketKit:Servers:app:Engine: 'turbo' is not an engine; use one of {string.Join(", ", Enum.GetNames<EngineKind>().Select(n => n.ToLowerInvariant()))}", message);
        Assert.Contains("SocketKit:Servers:app:Loops: 0 must be from 1 to 64", message);
        Assert.Contains("SocketKit:Servers:app:Workers: 2 listeners cannot share a Unix socket", message);
        Assert.Contains("SocketKit:Servers:app:Limits:MaxConnections: 0 must be at least 1", message);
        Assert.Contains("SocketKit:Servers:app:Timeouts:IdleTimeout: -00:00:01 must be a positive duration", message);
        Assert.Contains("SocketKit:Servers:app:Tls: set both CertificatePath and KeyPath", message);
        Assert.Equal(7, error.Failures.Count());
        Assert.False(File.Exists(unixPath), "nothing may be bound when the settings are wrong");
        Assert.Equal(SocketKitServerState.NotStarted, host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").State);
    }

    [Fact]
    public async Task AServerWithoutEndpointsIsToldWhichKeyToSet()
    {
        using IHost host = Build(new(), services => services.AddSocketKitServer("app"), out _);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestTimeouts.Limit));
        Assert.Contains("SocketKit:Servers:app:Endpoints: no endpoint to listen on; set SocketKit:Servers:app:Endpoints:0", error.Message);
    }

    [Fact]
    public async Task EveryEngineIsChosenByItsName()
    {
        foreach (string engine in Enum.GetNames<EngineKind>())
        {
            using IHost host = Build(new()
            {
                ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
                ["SocketKit:Servers:app:Engine"] = engine.ToLowerInvariant(),
            }, services => services.AddSocketKitServer("app"), out LogCapture log);
            await host.StartAsync().WaitAsync(TestTimeouts.Limit);
            EndPoint endPoint = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints.Single();
            Assert.StartsWith("In the caves", await AskAsync(endPoint, "search", "ring"));
            Assert.Contains(log.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"Listening on {System.Text.RegularExpressions.Regex.Escape(EndPoints.Format(endPoint))} \({engine.ToLowerInvariant()} engine(, \d+ loops)?\)$"));
            await host.StopAsync().WaitAsync(TestTimeouts.Limit);
        }
    }

    [Fact]
    public async Task StoppingAnswersTheRequestInFlightAndTheHealthCheckSaysDrainingThenStopped()
    {
        using IHost host = Build(new() { ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0" },
            services => services.AddSocketKitServer("app"), out _);
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        SocketKitHostedServer server = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app");
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        byte[] request = Encode(AppRequests.Json("search", "ring"));
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoints[0]);
        await client.SendAsync(request.AsMemory(0, request.Length - 1));
        await Eventually.TrueAsync(() => server.BytesReceived == request.Length - 1, "the server has read all but the request's last byte");

        Task stopping = host.StopAsync();
        await Eventually.TrueAsync(() => server.State == SocketKitServerState.Draining, "the server drains");
        HealthReportEntry draining = (await health.CheckHealthAsync()).Entries["socketkit:app"];
        Assert.Equal(HealthStatus.Degraded, draining.Status);
        Assert.Equal("draining: 1 connection(s) still open", draining.Description);
        Assert.False(stopping.IsCompleted, "the host waits for the request in flight");

        await client.SendAsync(request.AsMemory(request.Length - 1));
        using var timeout = new CancellationTokenSource(TestTimeouts.Limit);
        Assert.StartsWith("In the caves", Result(await RawClient.ReadToEndAsync(client, timeout.Token)));
        await stopping.WaitAsync(TestTimeouts.Limit);
        Assert.Equal("stopped", (await health.CheckHealthAsync()).Entries["socketkit:app"].Description);
    }

    [Fact]
    public async Task TheDrainEndsWithinTheHostsShutdownTimeout()
    {
        TimeSpan shutdown = TimeSpan.FromSeconds(3);
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:app:Timeouts:DrainTimeout"] = "00:01:00",
        }, services =>
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
            services.AddSocketKitServer("app");
        }, out LogCapture log);
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        SocketKitHostedServer server = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app");

        // A request that never completes: only the drain timeout ends it.
        byte[] request = Encode(AppRequests.Json("search", "ring"));
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoints[0]);
        await client.SendAsync(request.AsMemory(0, request.Length - 1));
        await Eventually.TrueAsync(() => server.BytesReceived == request.Length - 1, "the server has read all but the request's last byte");

        var clock = Stopwatch.StartNew();
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
        clock.Stop();
        Assert.Equal(SocketKitServerState.Stopped, server.State); // finished before the host's timeout, not abandoned by it
        Assert.True(clock.Elapsed < shutdown, $"stop took {clock.Elapsed}, more than the host's {shutdown}");
        Assert.Contains(log.Lines, l => l.Contains($"drain timeout {TimeSpan.FromMinutes(1)} shortened", StringComparison.Ordinal));
        using var timeout = new CancellationTokenSource(TestTimeouts.Limit);
        Assert.Empty(await RawClient.ReadToEndAsync(client, timeout.Token)); // closed without an answer
    }

    [Fact]
    public async Task RequestsAreCountedOnTheHostsMeterFactory()
    {
        using IHost host = Build(new() { ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0" },
            services => services.AddSocketKitServer("app"), out _);
        IMeterFactory factory = host.Services.GetRequiredService<IMeterFactory>();
        long requests = 0;
        int port = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only the host's meter: a shared or other host's meter has another scope.
                if (instrument.Meter.Name == SocketKitMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == SocketKitMetrics.Requests)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "server.port" && tag.Value is int p && p == Volatile.Read(ref port))
                {
                    Interlocked.Add(ref requests, value);
                }
            }
        });
        listener.Start();

        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        EndPoint endPoint = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints.Single();
        Volatile.Write(ref port, ((IPEndPoint)endPoint).Port);
        await AskAsync(endPoint, "search", "ring");
        await AskAsync(endPoint, "search", "tea");
        await Eventually.TrueAsync(() => Interlocked.Read(ref requests) == 2, "two requests counted on the host's meter");
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public void TwoServersCannotShareAName()
    {
        var services = new ServiceCollection();
        services.AddSocketKitServer("app");
        var error = Assert.Throws<ArgumentException>(() => services.AddSocketKitServer("app"));
        Assert.Contains("'app' is already registered", error.Message);
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection> register, out LogCapture log) =>
        TestHosts.Build(settings, register, out log);

    private static AppResponse Reverse(AppRequest request) => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray()));

    private static async Task<string> AskAsync(EndPoint endPoint, string action, string value)
    {
        (string host, int port) = endPoint switch
        {
            UnixDomainSocketEndPoint unix => ("unix:" + unix, 0),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => throw new ArgumentException(endPoint.ToString()),
        };
        Message answer = await AppClient.RequestAsync(host, port, AppRequests.Json(action, value)).WaitAsync(TestTimeouts.Limit);
        using JsonDocument reply = JsonContent.Parse(answer.Content, answer.Header.ContentEncoding);
        return reply.RootElement.GetProperty("result").GetString()!;
    }

    private static byte[] Encode(Message message) => MessageEncoder.Encode(message.Header, message.Content.Span);

    private static string Result(byte[] response)
    {
        var decoder = new MessageDecoder();
        var bytes = new ReadOnlySequence<byte>(response);
        Assert.True(decoder.TryDecode(ref bytes, out Message message), "a whole response");
        using JsonDocument reply = JsonContent.Parse(message.Content, message.Header.ContentEncoding);
        return reply.RootElement.GetProperty("result").GetString()!;
    }

    private sealed record Greeting(string Text);

    private sealed class GreetingHandler(Greeting greeting) : IConnectionHandler
    {
        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            data = data.Slice(data.End);
            output.Write(Encoding.ASCII.GetBytes(greeting.Text));
            return NextStep.CloseAfterSending;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }
}
