using Microsoft.Extensions.Time.Testing;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Support;

/// <summary>App servers with chosen limits, timeouts and clock, and the clients that probe them.</summary>
public static class HostileServers
{
    /// <summary>The tutorial's router plus "big N" (N zero bytes back) for slow-reader and send-buffer tests.</summary>
    public static AppRouter Router() => TutorialHandlers.CreateRouter()
        .MapAction("big", request => AppResponse.Binary(new byte[int.Parse(request.Value!.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)]));

    public static SocketServer App(EngineKind engine, ServerLimits? limits = null, ServerTimeouts? timeouts = null, TimeProvider? time = null, Action<ConnectionInfo, ConnectionCloseReason>? onClosing = null, TlsServerOptions? tls = null)
    {
        AppRouter router = Router();
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = engine,
            Limits = limits ?? ServerLimits.Default,
            Timeouts = timeouts ?? ServerTimeouts.Default,
            TimeProvider = time ?? TimeProvider.System,
            OnClosing = onClosing,
            Tls = tls,
        };
        return SocketServer.Start(options, connection => new AppServerHandler(router, connection));
    }

    public static byte[] Request(string action, string value, bool keepAlive = false)
    {
        Message m = AppRequests.Json(action, value, keepAlive);
        return MessageEncoder.Encode(m.Header, m.Content.Span);
    }

    /// <summary>A good request gets the reference's answer: the server still serves.</summary>
    public static async Task AssertServesAsync(SocketServer server)
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request);
        Assert.Equal(v.Response, answer);
    }

    /// <summary>
    /// True when the server closed (or reset) the socket within <paramref name="wait"/>: what it sent before is read
    /// and dropped. It waits without holding a thread, so the servers under test in this process are not slowed by it.
    /// </summary>
    public static async Task<bool> IsClosedByServerAsync(Socket socket, TimeSpan wait)
    {
        byte[] sink = new byte[64 * 1024];
        using var timer = new CancellationTokenSource(wait);
        try
        {
            while (await socket.ReceiveAsync(sink, SocketFlags.None, timer.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false; // On Linux a cancelled receive takes nothing and leaves the socket usable.
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>
    /// Moves fake time one second at a time (with <paramref name="eachSecond"/> first) until the server closes the
    /// socket; returns the fake seconds that took. Real waits are short and bounded by <paramref name="maxSeconds"/>.
    /// </summary>
    public static async Task<int> AdvanceUntilClosedAsync(FakeTimeProvider time, Socket socket, int maxSeconds, Action<int>? eachSecond = null)
    {
        for (int second = 1; second <= maxSeconds; second++)
        {
            eachSecond?.Invoke(second);
            time.Advance(TimeSpan.FromSeconds(1));
            if (await IsClosedByServerAsync(socket, TimeSpan.FromMilliseconds(250)))
            {
                return second;
            }
        }
        throw new TimeoutException($"the server did not close the connection within {maxSeconds} fake seconds");
    }

    /// <summary>
    /// Moves fake time (with <paramref name="eachSecond"/> first, each second) until the server closes
    /// <paramref name="socket"/>: it must close after <paramref name="seconds"/>, or up to <paramref name="slack"/>
    /// seconds later (the heartbeat's grain), and count the close as a timeout.
    /// </summary>
    public static async Task AssertClosedByATimeoutAsync(SocketServer server, FakeTimeProvider time, Socket socket, int seconds, int slack = 1, Action<int>? eachSecond = null)
    {
        int closedAfter = await AdvanceUntilClosedAsync(time, socket, 2 * (seconds + slack), eachSecond);
        Assert.InRange(closedAfter, seconds, seconds + slack);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsTimedOut == 1, "the timeout is counted");
    }

    /// <summary>
    /// Sends the reference request one byte a fake second for <paramref name="seconds"/> seconds, then the rest at once:
    /// the server must answer it with the reference bytes and count no timeout.
    /// </summary>
    public static async Task AssertADribbledRequestIsAnsweredAsync(SocketServer server, FakeTimeProvider time, Socket client, int seconds)
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        for (int second = 1; second <= seconds; second++)
        {
            client.Send(v.Request.AsSpan(second - 1, 1));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        client.Send(v.Request.AsSpan(seconds));
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Equal(v.Response, await RawClient.ReadToEndAsync(client, cts.Token));
        Assert.Equal(0, server.Counters.ConnectionsTimedOut);
    }

    /// <summary>Connects to <paramref name="server"/> and waits until it has accepted, so that fake time moved afterwards runs for this connection.</summary>
    public static async Task<Socket> ConnectAcceptedAsync(SocketServer server)
    {
        long accepted = server.Counters.ConnectionsAccepted;
        Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        try
        {
            await Eventually.TrueAsync(() => server.Counters.ConnectionsAccepted == accepted + 1, "the server accepts the client");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
