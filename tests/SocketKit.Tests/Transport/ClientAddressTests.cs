using Microsoft.Extensions.Time.Testing;

namespace SocketKit.Tests.Transport;

/// <summary>
/// A live server's address rules and per-address limit: IPv4, IPv6, an IPv4 client on a dual-stack listener, and the
/// client a PROXY header names; refused connections closed at once, counted, logged at most once a second.
/// </summary>
[Tier(TestTier.Socket)]
public class ClientAddressTests
{
    private static ServerGroup Start(EndPoint endPoint, AddressRules rules, int? perAddress = null, bool proxy = false, ListLogger? logger = null,
        TimeProvider? clock = null, EngineKind engine = EngineKind.Select) =>
        new ServerBuilder(new ServerOptions
        {
            EndPoint = endPoint,
            Engine = engine,
            Loops = 1,
            ClientAddresses = rules,
            Limits = ServerLimits.Default with { MaxConnectionsPerAddress = perAddress },
            TimeProvider = clock ?? TimeProvider.System,
        })
            .RequireProxyProtocol(proxy)
            .UseLogger(logger)
            .UseHandler(_ => new EchoHandler())
            .Start();

    private static AddressRules Allow(params string[] networks) => new() { Allow = [.. networks.Select(AddressRules.ParseNetwork)] };

    private static AddressRules Deny(params string[] networks) => new() { Deny = [.. networks.Select(AddressRules.ParseNetwork)] };

    private static long Rejected(ServerGroup group) => group.Servers.Sum(s => s.Counters.ConnectionsRejected);

    /// <summary>Sends <paramref name="preamble"/> then a message; what came back before the server closed (nothing when refused).</summary>
    private static async Task<string> ExchangeAsync(EndPoint endPoint, string preamble = "")
    {
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Socket? socket = null;
        try
        {
            socket = await RawClient.ConnectAsync(endPoint);
            await socket.SendAsync(Encoding.ASCII.GetBytes(preamble + "hello"), SocketFlags.None, cts.Token);
            socket.Shutdown(SocketShutdown.Send);
            return Encoding.ASCII.GetString(await RawClient.ReadToEndAsync(socket, cts.Token));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            return ""; // Reset as it was accepted (even before connect returned): refused.
        }
        finally
        {
            socket?.Dispose();
        }
    }

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task AnIPv4ClientIsServedWhenAllowedAndClosedAtOnceWhenDenied(EngineKind engine)
    {
        await using (ServerGroup allowed = Start(new IPEndPoint(IPAddress.Loopback, 0), Allow("127.0.0.0/8"), engine: engine))
        {
            Assert.Equal("hello", await ExchangeAsync(allowed.LocalEndPoint));
            Assert.Equal(0, Rejected(allowed));
        }
        var logger = new ListLogger();
        await using ServerGroup denied = Start(new IPEndPoint(IPAddress.Loopback, 0), Deny("127.0.0.1"), logger: logger, engine: engine);
        Assert.Equal("", await ExchangeAsync(denied.LocalEndPoint));
        Assert.Equal(1, Rejected(denied));
        Assert.Equal(0, denied.Servers.Sum(s => s.Counters.ConnectionsAccepted));
        Assert.Contains(logger.Lines, l => l.Contains("Refused a connection from 127.0.0.1:", StringComparison.Ordinal) && l.Contains("its address is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnIPv6ClientIsJudgedByItsOwnNetwork()
    {
        await using (ServerGroup outside = Start(new IPEndPoint(IPAddress.IPv6Loopback, 0), Allow("2001:db8::/32")))
        {
            Assert.Equal("", await ExchangeAsync(outside.LocalEndPoint));
            Assert.Equal(1, Rejected(outside));
        }
        await using ServerGroup inside = Start(new IPEndPoint(IPAddress.IPv6Loopback, 0), Allow("2001:db8::/32", "::1"));
        Assert.Equal("hello", await ExchangeAsync(inside.LocalEndPoint));
        Assert.Equal(0, Rejected(inside));
    }

    [Fact]
    public async Task AnIPv4ClientOfADualStackListenerIsJudgedAsIPv4()
    {
        await using ServerGroup server = Start(new IPEndPoint(IPAddress.IPv6Any, 0), Deny("127.0.0.0/8"));
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        Assert.Equal("", await ExchangeAsync(new IPEndPoint(IPAddress.Loopback, port)));
        Assert.Equal("hello", await ExchangeAsync(new IPEndPoint(IPAddress.IPv6Loopback, port)));
        Assert.Equal(1, Rejected(server));
    }

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task BehindAProxyHeaderTheRulesJudgeTheClientItNamesNotTheBalancer(EngineKind engine)
    {
        var logger = new ListLogger();
        // The balancer (127.0.0.1) is outside the allowed network: only the clients it names are judged.
        await using ServerGroup server = Start(new IPEndPoint(IPAddress.Loopback, 0), Allow("198.51.100.0/24", "2001:db8::/32") with { Deny = [AddressRules.ParseNetwork("198.51.100.66")] },
            proxy: true, logger: logger, engine: engine);
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        string Header(string client) => client.Contains(':')
            ? $"PROXY TCP6 {client} ::1 40000 {port}\r\n"
            : $"PROXY TCP4 {client} 127.0.0.1 40000 {port}\r\n";

        Assert.Equal("hello", await ExchangeAsync(server.LocalEndPoint, Header("198.51.100.9")));
        Assert.Equal("hello", await ExchangeAsync(server.LocalEndPoint, Header("2001:db8::7")));
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint, Header("192.0.2.7")));
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint, Header("198.51.100.66")));
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint, Header("2001:db9::7")));
        Assert.Equal(3, Rejected(server));
        Assert.Contains(logger.Lines, l => l.Contains("Refused a connection from 192.0.2.7:40000: its address is not allowed", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => logger.Lines.Count(l => l.Contains("(refused: the client's address is not allowed", StringComparison.Ordinal)) == 3, "three connections closed as refused");
    }

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task OneAddressHoldsAtMostItsLimitOfConnectionsAndGetsOneBackWhenOneCloses(EngineKind engine)
    {
        const int limit = 2;
        await using ServerGroup server = Start(new IPEndPoint(IPAddress.Loopback, 0), AddressRules.None, perAddress: limit, engine: engine);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        var held = new List<Socket>();
        for (int i = 0; i < limit; i++)
        {
            Socket socket = await RawClient.ConnectAsync(server.LocalEndPoint);
            held.Add(socket);
            // A round trip: the server has admitted and counted it.
            await socket.SendAsync(Encoding.ASCII.GetBytes("x"), SocketFlags.None, cts.Token);
            Assert.Equal("x", Encoding.ASCII.GetString(await RawClient.ReadExactlyAsync(socket, 1, cts.Token)));
        }
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint));
        Assert.Equal(1, Rejected(server));

        held[0].Dispose();
        await Eventually.TrueAsync(() => server.Servers.Sum(s => s.Counters.ConnectionsOpen) == limit - 1, "the closed connection released");
        Assert.Equal("hello", await ExchangeAsync(server.LocalEndPoint));
        held.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task BehindAProxyHeaderEachClientHasItsOwnLimit()
    {
        await using ServerGroup server = Start(new IPEndPoint(IPAddress.Loopback, 0), AddressRules.None, perAddress: 1, proxy: true);
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        using Socket first = await RawClient.ConnectAsync(server.LocalEndPoint);
        await first.SendAsync(Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.1 127.0.0.1 40000 {port}\r\nx"), SocketFlags.None, cts.Token);
        Assert.Equal("x", Encoding.ASCII.GetString(await RawClient.ReadExactlyAsync(first, 1, cts.Token)));

        // The same client again is over its limit; another client, through the same balancer, is not.
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint, $"PROXY TCP4 192.0.2.1 127.0.0.1 40001 {port}\r\n"));
        Assert.Equal("hello", await ExchangeAsync(server.LocalEndPoint, $"PROXY TCP4 192.0.2.2 127.0.0.1 40002 {port}\r\n"));
        Assert.Equal(1, Rejected(server));
    }

    [Fact]
    public async Task RefusalsAreLoggedAtMostOnceASecondWithHowManyEachLineStandsFor()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new ListLogger();
        await using ServerGroup server = Start(new IPEndPoint(IPAddress.Loopback, 0), Deny("127.0.0.0/8"), logger: logger, clock: clock);
        const int burst = 5;
        for (int i = 0; i < burst; i++)
        {
            Assert.Equal("", await ExchangeAsync(server.LocalEndPoint));
        }
        Assert.Equal(burst, Rejected(server));
        string[] lines = [.. logger.Lines.Where(l => l.Contains("Refused a connection", StringComparison.Ordinal))];
        Assert.Single(lines);
        Assert.Contains("(1 refused since the last such line, logged at most once a second)", lines[0]);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("", await ExchangeAsync(server.LocalEndPoint));
        lines = [.. logger.Lines.Where(l => l.Contains("Refused a connection", StringComparison.Ordinal))];
        Assert.Equal(2, lines.Length);
        Assert.Contains($"({burst} refused since the last such line", lines[1]);
    }
}
