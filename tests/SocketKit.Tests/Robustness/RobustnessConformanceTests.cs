using Microsoft.Extensions.Time.Testing;

namespace SocketKit.Tests.Robustness;

/// <summary>Limits, timeouts and the drain, the same on every engine. Timeouts run on a fake clock: no test waits them out.</summary>
[Tier(TestTier.Socket)]
public abstract class RobustnessConformanceTests(EngineKind engine) : EngineSuite(engine)
{
    private static readonly ServerTimeouts TenSecondRequestTimeout = new() { RequestTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task ADribblingClientIsClosedByTheRequestTimeoutWhileOthersAreServed()
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = HostileServers.App(Engine, timeouts: TenSecondRequestTimeout, time: time);
        using Socket dribbler = await HostileServers.ConnectAcceptedAsync(server);
        byte[] request = ReferenceVectors.Get("search-morpheus").Request;

        // A byte every second: if bytes reset the timeout, this connection would never close.
        int timeout = (int)TenSecondRequestTimeout.RequestTimeout.TotalSeconds;
        await HostileServers.AssertClosedByATimeoutAsync(server, time, dribbler, timeout, eachSecond: second => dribbler.Send(request.AsSpan(second - 1, 1)));
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task ARequestDribbledWithinTheRequestTimeoutIsAnswered()
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = HostileServers.App(Engine, timeouts: TenSecondRequestTimeout, time: time);
        using Socket client = await HostileServers.ConnectAcceptedAsync(server);
        await HostileServers.AssertADribbledRequestIsAnsweredAsync(server, time, client, seconds: (int)TenSecondRequestTimeout.RequestTimeout.TotalSeconds - 1);
    }

    [Fact]
    public async Task AKeptAliveConnectionIsClosedByTheIdleTimeout()
    {
        var time = new FakeTimeProvider();
        var timeouts = new ServerTimeouts { IdleTimeout = TimeSpan.FromSeconds(5) };
        await using SocketServer server = HostileServers.App(Engine, timeouts: timeouts, time: time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        client.Send(HostileServers.Request("search", "ring", keepAlive: true));
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        byte[] proto = await RawClient.ReadExactlyAsync(client, 2, cts.Token);
        await RawClient.ReadExactlyAsync(client, (proto[0] << 8) | proto[1], cts.Token);

        // The response may reach the client just before the server starts the idle clock: one second more of slack.
        await HostileServers.AssertClosedByATimeoutAsync(server, time, client, (int)timeouts.IdleTimeout.TotalSeconds, slack: 2);
    }

    /// <summary>A server holding content to 100 bytes/s (and the request timeout far away), and a client that has sent a header declaring 10,000 bytes.</summary>
    private sealed record ContentPeer(SocketServer Server, Socket Client, int HeaderLength) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>The minimum content rate, in bytes per second, of the server <see cref="StartContentAsync"/> starts.</summary>
    private const int MinContentRate = 100;

    private async Task<ContentPeer> StartContentAsync(FakeTimeProvider time)
    {
        var timeouts = new ServerTimeouts { RequestTimeout = TimeSpan.FromMinutes(5), MinRequestContentBytesPerSecond = MinContentRate };
        SocketServer server = HostileServers.App(Engine, timeouts: timeouts, time: time);
        Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] header = Frames.Raw(Frames.Header("binary/x", "binary", 10_000));
        client.Send(header);
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == header.Length, "the server reads the header");
        return new ContentPeer(server, client, header.Length);
    }

    [Fact]
    public async Task ContentSentSlowerThanTheMinimumRateIsClosedAfterTheGracePeriod()
    {
        var time = new FakeTimeProvider();
        await using ContentPeer peer = await StartContentAsync(time);
        (SocketServer server, Socket client, _) = peer;

        // Half the minimum rate: 50 bytes each second.
        int grace = (int)ServerTimeouts.Default.MinDataRateGracePeriod.TotalSeconds;
        await HostileServers.AssertClosedByATimeoutAsync(server, time, client, grace, eachSecond: _ => client.Send(new byte[MinContentRate / 2]));
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task ContentAheadOfTheMinimumRateOutlastsAStallUntilItsAverageFallsBelow()
    {
        var time = new FakeTimeProvider();
        await using ContentPeer peer = await StartContentAsync(time);
        (SocketServer server, Socket client, int headerLength) = peer;

        // 2,000 bytes at once, then nothing: twenty seconds' worth at 100 bytes/s, four grace periods. A network's
        // stall of that length is survived; a peer that has stopped is closed once the average falls below the rate.
        const int burst = 2000;
        client.Send(new byte[burst]);
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == headerLength + burst, "the server reads the burst");
        await HostileServers.AssertClosedByATimeoutAsync(server, time, client, burst / MinContentRate);
    }

    [Fact]
    public async Task ContentSentAtTheMinimumRateIsReadToTheEndAndAnswered()
    {
        const int rate = 100;
        const int seconds = 12; // More than two grace periods at exactly the rate: the average never falls below it.
        var time = new FakeTimeProvider();
        var timeouts = new ServerTimeouts { RequestTimeout = TimeSpan.FromMinutes(5), MinRequestContentBytesPerSecond = rate };
        await using SocketServer server = HostileServers.App(Engine, timeouts: timeouts, time: time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] content = [.. Enumerable.Range(0, rate * seconds).Select(i => (byte)i)];
        byte[] request = Frames.Raw(Frames.Header("binary/x", "binary", content.Length), content);
        int headerLength = request.Length - content.Length;
        client.Send(request.AsSpan(0, headerLength));
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == headerLength, "the server reads the header");

        // Exactly the rate: each second's bytes are in the server's hands before the clock moves on, and the
        // heartbeat has looked at them before the next second's are sent. The select engine checks on its loop
        // thread, after the tick; a request served there after the tick shows the check has run.
        long served = 0;
        int good = ReferenceVectors.Get("search-morpheus").Request.Length;
        for (int second = 0; second < seconds; second++)
        {
            client.Send(content.AsSpan(second * rate, rate));
            long expected = headerLength + ((second + 1) * rate) + served;
            await Eventually.TrueAsync(() => server.Counters.BytesReceived == expected, "the server reads this second's bytes");
            if (second < seconds - 1)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await HostileServers.AssertServesAsync(server);
                served += good;
            }
        }

        using var cts = new CancellationTokenSource(RawClient.Timeout);
        byte[] answer = await RawClient.ReadToEndAsync(client, cts.Token);
        Message response = Assert.Single(Splits.Decode(answer, []));
        Assert.Equal([.. "First 10 bytes of request: "u8, .. content.AsSpan(0, 10)], response.Content.ToArray());
        Assert.Equal(0, server.Counters.ConnectionsTimedOut);
    }

    [Fact]
    public async Task AConnectionOverTheMaximumIsClosedAtOnceAndCounted()
    {
        var closes = new System.Collections.Concurrent.ConcurrentQueue<ConnectionCloseReason>();
        await using SocketServer server = HostileServers.App(Engine, limits: new ServerLimits { MaxConnections = 2 }, onClosing: (_, reason) => closes.Enqueue(reason));
        using Socket first = await RawClient.ConnectAsync(server.LocalEndPoint);
        using Socket second = await RawClient.ConnectAsync(server.LocalEndPoint);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsAccepted == 2, "the server accepts two connections");
        using var third = new Socket(SocketType.Stream, ProtocolType.Tcp);
        bool refused;
        try
        {
            // The kernel completes the handshake before the server sees the connection; its reset may beat the connect's completion.
            await third.ConnectAsync(server.LocalEndPoint).WaitAsync(RawClient.Timeout);
            refused = await HostileServers.IsClosedByServerAsync(third, RawClient.Timeout);
        }
        catch (SocketException)
        {
            refused = true;
        }

        Assert.True(refused, "the third connection is closed");
        await Eventually.TrueAsync(() => server.Counters.ConnectionsRejected == 1, "the refusal is counted");

        // The two within the limit are served, and once one closes there is room again.
        second.Send(ReferenceVectors.Get("search-ring").Request);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Equal(ReferenceVectors.Get("search-ring").Response, await RawClient.ReadToEndAsync(second, cts.Token));
        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 1, "the served connection closes");
        // The refused one never became a connection: reset as it was accepted, it has no close reason of its own.
        await Eventually.TrueAsync(() => !closes.IsEmpty, "the served connection's close reported");
        Assert.Equal([ConnectionCloseReason.Done], closes);
        Assert.Equal(2, server.Counters.ConnectionsAccepted);
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task ASlowReaderIsCutOffAndWhatTheServerBuffersForItStaysUnderTheLimit()
    {
        const int limit = 12 * 1024 * 1024;
        const int response = 10 * 1024 * 1024; // More than the kernel's socket buffers on both sides hold.
        var timeouts = new ServerTimeouts { MinDataRateGracePeriod = TimeSpan.FromSeconds(1) };
        await using SocketServer server = HostileServers.App(Engine, limits: new ServerLimits { MaxSendBufferBytes = limit }, timeouts: timeouts);
        using var reader = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await reader.ConnectAsync(server.LocalEndPoint).WaitAsync(RawClient.Timeout);
        reader.Send(HostileServers.Request("big", response.ToString(), keepAlive: true));

        // The client never reads.
        await Eventually.TrueAsync(() => server.Counters.ConnectionsCutOff == 1, "the slow reader is cut off", TimeSpan.FromSeconds(15));

        Assert.InRange(server.Counters.PeakSendBufferBytes, response, limit);
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task AResponseOverTheSendBufferLimitIsRefusedBeforeItIsBuffered()
    {
        const int limit = 64 * 1024;
        await using SocketServer server = HostileServers.App(Engine, limits: new ServerLimits { MaxSendBufferBytes = limit });
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, HostileServers.Request("big", (limit + 1).ToString()));

        Assert.Empty(answer);
        Assert.Equal(1, server.Counters.ConnectionsCutOff);
        Assert.True(server.Counters.PeakSendBufferBytes <= limit, $"peak {server.Counters.PeakSendBufferBytes}");
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task StoppingClosesIdleConnectionsAtOnceAndLetsARequestInFlightFinish()
    {
        SocketServer server = HostileServers.App(Engine);
        using Socket idle = await RawClient.ConnectAsync(server.LocalEndPoint);
        using Socket busy = await RawClient.ConnectAsync(server.LocalEndPoint);
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        int half = v.Request.Length / 2;
        busy.Send(v.Request.AsSpan(0, half));
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == half, "the server reads the first half");

        Task stopped = server.StopAsync();

        Assert.True(await HostileServers.IsClosedByServerAsync(idle, RawClient.Timeout), "the idle connection is closed at once");
        Assert.False(stopped.IsCompleted, "the server waits for the request in flight");
        await Eventually.TrueAsync(() => ConnectIsRefused(server.LocalEndPoint), "new connections are refused");
        busy.Send(v.Request.AsSpan(half));
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Equal(v.Response, await RawClient.ReadToEndAsync(busy, cts.Token));
        await stopped.WaitAsync(RawClient.Timeout);
        Assert.Equal(0, server.Counters.ConnectionsForcedAtStop);
    }

    [Fact]
    public async Task ARequestStillInFlightWhenTheDrainTimesOutIsClosedByForce()
    {
        var time = new FakeTimeProvider();
        SocketServer server = HostileServers.App(Engine, timeouts: new ServerTimeouts { DrainTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromMinutes(5) }, time: time);
        using Socket busy = await RawClient.ConnectAsync(server.LocalEndPoint);
        busy.Send(ReferenceVectors.Get("search-morpheus").Request.AsSpan(0, 10));
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == 10, "the server reads the 10 bytes");

        Task stopped = server.StopAsync();
        Assert.False(await HostileServers.IsClosedByServerAsync(busy, TestTimeouts.ShortWait), "a request in flight is not closed at once");
        time.Advance(TimeSpan.FromSeconds(5));

        await stopped.WaitAsync(RawClient.Timeout);
        Assert.True(await HostileServers.IsClosedByServerAsync(busy, RawClient.Timeout));
        await Eventually.TrueAsync(() => server.Counters.ConnectionsForcedAtStop == 1, "the forced close is counted");
    }

    [Fact]
    public async Task AHandlerThatThrowsIsAnsweredAndEndsOnlyItsOwnConnection()
    {
        AppRouter router = TutorialHandlers.CreateRouter().MapAction("crash", _ => throw new InvalidOperationException("handler bug"));
        await using SocketServer server = SocketServer.Start(
            new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = Engine },
            connection => new AppServerHandler(router, connection));
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, HostileServers.Request("crash", "now", keepAlive: true));
        // The client is told, in the protocol and without the exception's words, and the connection closes after it.
        AppResponse error = AppResponse.Result("Error: the handler of action 'crash' failed on the server.");
        var written = new ArrayBufferWriter<byte>();
        MessageEncoder.Write(written, error.ContentType, error.ContentEncoding, error.Content.Span, keepAlive: false);
        Assert.Equal(written.WrittenSpan.ToArray(), answer);
        await HostileServers.AssertServesAsync(server);
    }

    [Fact]
    public async Task AHandlerFactoryThatThrowsEndsOnlyItsOwnConnectionAndItIsCountedClosed()
    {
        AppRouter router = TutorialHandlers.CreateRouter();
        int created = 0;
        // One loop on the select engine, so the connection served after the failure is served by the loop that met it.
        await using SocketServer server = SocketServer.Start(
            new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = Engine, Loops = 1 },
            connection => Interlocked.Increment(ref created) == 1
                ? throw new InvalidOperationException("factory bug")
                : new AppServerHandler(router, connection));
        using (Socket first = await RawClient.ConnectAsync(server.LocalEndPoint))
        {
            Assert.True(await HostileServers.IsClosedByServerAsync(first, RawClient.Timeout));
        }
        await HostileServers.AssertServesAsync(server);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "both connections are counted closed");
        Assert.Equal(2, server.Counters.ConnectionsAccepted);
    }

    private static bool ConnectIsRefused(EndPoint endPoint)
    {
        using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        try
        {
            probe.ConnectAsync(endPoint, cts.Token).AsTask().GetAwaiter().GetResult();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            // Neither accepted nor refused in time: not refused.
            return false;
        }
    }
}

public sealed class BlockingRobustnessTests() : RobustnessConformanceTests(EngineKind.Blocking);

public sealed class SelectRobustnessTests() : RobustnessConformanceTests(EngineKind.Select);
