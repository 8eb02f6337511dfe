using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Metrics;

namespace SocketKit.Tests.Applications;

/// <summary>
/// Handlers that await, block, throw or never answer, and answers that come back later from another thread: the same
/// on every engine. The handlers are held by gates the test opens, so nothing depends on how fast the machine is.
/// </summary>
[Tier(TestTier.Socket)]
public abstract class AsyncHandlerConformanceTests(EngineKind engine) : EngineSuite(engine)
{
    /// <summary>An action whose handler waits for the test to open a gate named by the request's value.</summary>
    private sealed class Gates
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<string>> _gates = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<bool>> _entered = new();

        public TaskCompletionSource<string> Gate(string name) => _gates.GetOrAdd(name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public TaskCompletionSource<bool> Entered(string name) => _entered.GetOrAdd(name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<AppResponse> Wait(AppRequest request, CancellationToken cancel)
        {
            string name = request.Value!.Value.GetString()!;
            Entered(name).TrySetResult(true);
            try
            {
                return AppResponse.Result(await Gate(name).Task.WaitAsync(cancel));
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
        }
    }

    private AppServer StartServer(Action<AppServer> map, ServerTimeouts? timeouts = null, ServerLimits? limits = null, TimeProvider? time = null,
        ILogger? logger = null, SocketKitMetrics? metrics = null)
    {
        // One loop, so a handler that stalled its loop would stall the other connections of these tests too.
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = Engine,
            Loops = 1,
            Timeouts = timeouts ?? ServerTimeouts.Default,
            Limits = limits ?? ServerLimits.Default,
            TimeProvider = time ?? TimeProvider.System,
            Metrics = metrics,
        };
        var server = new AppServer(options, logger);
        map(server);
        return server.Start();
    }

    private static List<Message> Decode(byte[] bytes)
    {
        var decoder = new MessageDecoder();
        var input = new ReadOnlySequence<byte>(bytes);
        var messages = new List<Message>();
        while (decoder.TryDecode(ref input, out Message message))
        {
            messages.Add(message);
        }
        Assert.True(input.IsEmpty, $"{input.Length} bytes after the last whole message");
        return messages;
    }

    private static string Result(Message message) => Encoding.UTF8.GetString(message.Content.Span);

    private static string ResultJson(string text) => $"{{\"result\": \"{text}\"}}";

    [Fact]
    public async Task AnActionThatAwaitsIsAnsweredLaterWhileItsLoopServesOtherConnections()
    {
        var gates = new Gates();
        await using AppServer server = StartServer(s => s.MapAction("wait", gates.Wait));
        using Socket waiting = await RawClient.ConnectAsync(server.LocalEndPoint);
        waiting.Send(HostileServers.Request("wait", "a"));
        await gates.Entered("a").Task.WaitAsync(RawClient.Timeout);

        // The only loop is free: another client is answered while the first one's handler awaits.
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.Equal(v.Response, await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request));
        Assert.False(await HostileServers.IsClosedByServerAsync(waiting, TestTimeouts.ShortWait), "the awaiting request's connection waits for its answer");

        gates.Gate("a").SetResult("done waiting");
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        List<Message> answers = Decode(await RawClient.ReadToEndAsync(waiting, cts.Token));
        Assert.Equal(ResultJson("done waiting"), Result(Assert.Single(answers)));
        Assert.False(answers[0].Header.KeepAlive);
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInRequestOrderWhateverOrderTheirHandlersFinishIn()
    {
        var gates = new Gates();
        await using AppServer server = StartServer(s => s.MapAction("wait", gates.Wait));
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        // Four requests in one send: two that wait, a synchronous one between them, and a last one that waits.
        client.Send([
            .. HostileServers.Request("wait", "first", keepAlive: true),
            .. HostileServers.Request("search", "morpheus", keepAlive: true),
            .. HostileServers.Request("wait", "third", keepAlive: true),
            .. HostileServers.Request("wait", "last", keepAlive: false)]);
        await gates.Entered("first").Task.WaitAsync(RawClient.Timeout);
        // The later gates open first: their answers must still come after the first's.
        gates.Gate("last").SetResult("4");
        gates.Gate("third").SetResult("3");
        Assert.False(await HostileServers.IsClosedByServerAsync(client, TestTimeouts.ShortWait), "nothing is answered before the first request");
        gates.Gate("first").SetResult("1");

        using var cts = new CancellationTokenSource(RawClient.Timeout);
        List<Message> answers = Decode(await RawClient.ReadToEndAsync(client, cts.Token));
        Assert.Equal([ResultJson("1"), ResultJson("Follow the white rabbit. \U0001F430"), ResultJson("3"), ResultJson("4")], answers.Select(Result));
        Assert.Equal([true, true, true, false], answers.Select(a => a.Header.KeepAlive));
    }

    [Fact]
    public async Task TheHandlersTokenIsCancelledWhenTheClientGoesAwayAndTheServerServesOn()
    {
        var gates = new Gates();
        await using AppServer server = StartServer(s => s.MapAction("wait", gates.Wait));
        using (Socket leaving = await RawClient.ConnectAsync(server.LocalEndPoint))
        {
            leaving.Send(HostileServers.Request("wait", "never"));
            await gates.Entered("never").Task.WaitAsync(RawClient.Timeout);
        }
        await gates.Cancelled.Task.WaitAsync(RawClient.Timeout);
        await Eventually.TrueAsync(() => server.Listeners.Servers[0].Counters.ConnectionsOpen == 0, "the connection is closed");
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.Equal(v.Response, await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request));
    }

    [Fact]
    public async Task AHandlerPastTheHandlerTimeoutIsCancelledAndTheClientIsAnsweredWithAnErrorThenClosed()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        using var metrics = new SocketKitMetrics();
        using var recorded = new RecordedMetrics();
        var gates = new Gates();
        await using AppServer server = StartServer(s => s.MapAction("wait", gates.Wait),
            timeouts: new ServerTimeouts { HandlerTimeout = TimeSpan.FromSeconds(5) }, time: time, logger: logger, metrics: metrics);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        client.Send(HostileServers.Request("wait", "forever", keepAlive: true));
        await gates.Entered("forever").Task.WaitAsync(RawClient.Timeout);

        // A fake second at a time, reading what comes: the handler's deadline is set once its turn on the loop ends, which
        // a busy machine may delay past the moment the handler started; so the answer is awaited, not assumed at 5 s.
        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        int seconds = 0;
        bool closed = false;
        while (!closed && seconds < 20)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            seconds++;
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
            try
            {
                int n;
                while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, wait.Token)) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                closed = true;
            }
            catch (OperationCanceledException)
            {
            }
        }
        Assert.True(closed, "the server answers and closes after the handler timeout");
        Assert.InRange(seconds, 5, 7); // Never before the handler's 5 s; its deadline is set within the first fake second.
        Message answer = Assert.Single(Decode([.. received]));
        Assert.Equal(ResultJson("Error: the handler of action 'wait' did not answer in time."), Result(answer));
        Assert.False(answer.Header.KeepAlive, "the answer closes the conversation, though the request asked to keep it alive");
        await gates.Cancelled.Task.WaitAsync(RawClient.Timeout);

        SocketServer listener = server.Listeners.Servers[0];
        await Eventually.TrueAsync(() => listener.Counters.ConnectionsTimedOut == 1, "the handler timeout is counted as a timeout");
        int port = listener.Port();
        Assert.Equal(1, recorded.Sum(SocketKitMetrics.HandlerFailures, port));
        Assert.Equal("timeout", Assert.Single(recorded.Of(SocketKitMetrics.HandlerFailures, port)).Tags["error.type"]);
        Assert.Equal("handler", Assert.Single(recorded.Of(SocketKitMetrics.Timeouts, port)).Tags["socketkit.timeout.kind"]);
        Assert.Single(logger.Lines, line => line.Contains("the handler of action 'wait' did not answer within the handler timeout", StringComparison.Ordinal));
        Assert.Single(logger.Lines, line => line.Contains("(handler timeout: no answer within 5s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStoppingServerWaitsForAPendingHandlerAndSendsItsAnswer()
    {
        var gates = new Gates();
        AppServer server = StartServer(s => s.MapAction("wait", gates.Wait));
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        client.Send(HostileServers.Request("wait", "drained", keepAlive: true));
        await gates.Entered("drained").Task.WaitAsync(RawClient.Timeout);

        Task stopped = server.StopAsync();
        Assert.False(await HostileServers.IsClosedByServerAsync(client, TestTimeouts.ShortWait), "the drain waits for the handler");
        gates.Gate("drained").SetResult("answered while stopping");
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Message answer = Assert.Single(Decode(await RawClient.ReadToEndAsync(client, cts.Token)));
        Assert.Equal(ResultJson("answered while stopping"), Result(answer));
        await stopped.WaitAsync(RawClient.Timeout);
        Assert.False(gates.Cancelled.Task.IsCompleted, "a handler that finished within the drain is not cancelled");
    }

    [Fact]
    public async Task WhenTheDrainRunsOutAPendingHandlerIsCancelled()
    {
        var time = new FakeTimeProvider();
        var gates = new Gates();
        AppServer server = StartServer(s => s.MapAction("wait", gates.Wait),
            timeouts: new ServerTimeouts { DrainTimeout = TimeSpan.FromSeconds(5), HandlerTimeout = TimeSpan.FromMinutes(5) }, time: time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        client.Send(HostileServers.Request("wait", "stuck"));
        await gates.Entered("stuck").Task.WaitAsync(RawClient.Timeout);

        Task stopped = server.StopAsync();
        Assert.False(await HostileServers.IsClosedByServerAsync(client, TestTimeouts.ShortWait), "the drain waits for the handler");
        time.Advance(TimeSpan.FromSeconds(5));
        await gates.Cancelled.Task.WaitAsync(RawClient.Timeout);
        await stopped.WaitAsync(RawClient.Timeout);
        Assert.Equal(1, server.Listeners.Servers[0].Counters.ConnectionsForcedAtStop);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("async")]
    [InlineData("awaited")]
    [InlineData("blocking")]
    public async Task AHandlerThatThrowsIsAnsweredWithAnErrorWithoutTheExceptionAndItsConnectionCloses(string how)
    {
        var logger = new ListLogger();
        using var metrics = new SocketKitMetrics();
        using var recorded = new RecordedMetrics();
        await using AppServer server = StartServer(s =>
        {
            _ = how switch
            {
                "sync" => s.MapAction("crash", _ => throw new InvalidOperationException("secret detail")),
                "async" => s.MapAction("crash", (_, _) => throw new InvalidOperationException("secret detail")),
                "awaited" => s.MapAction("crash", async (_, cancel) =>
                {
                    await Task.Yield();
                    throw new InvalidOperationException("secret detail");
                }),
                _ => s.MapBlockingAction("crash", (_, _) => throw new InvalidOperationException("secret detail")),
            };
        }, logger: logger, metrics: metrics);

        byte[] bytes = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, HostileServers.Request("crash", "now", keepAlive: true));
        Message answer = Assert.Single(Decode(bytes));
        Assert.Equal(ResultJson("Error: the handler of action 'crash' failed on the server."), Result(answer));
        Assert.False(answer.Header.KeepAlive);
        Assert.DoesNotContain("secret", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        int port = server.Listeners.Servers[0].Port();
        await Eventually.TrueAsync(() => recorded.Sum(SocketKitMetrics.HandlerFailures, port) == 1, "the failure is counted");
        Assert.Equal("exception", recorded.Of(SocketKitMetrics.HandlerFailures, port)[0].Tags["error.type"]);
        Assert.Equal("crash", recorded.Of(SocketKitMetrics.HandlerFailures, port)[0].Tags["socketkit.request.action"]);
        Assert.Single(logger.Lines, line => line.Contains("the handler of action 'crash' failed", StringComparison.Ordinal)
            && line.Contains("secret detail", StringComparison.Ordinal));
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.Equal(v.Response, await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request));
    }

    [Fact]
    public async Task ABlockingHandlerRunsOffTheLoopOnAWorkerThread()
    {
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AppServer server = StartServer(s => s.MapBlockingAction("block", (_, _) =>
        {
            entered.SetResult(Thread.CurrentThread.Name ?? "");
            release.Wait(RawClient.Timeout); // A synchronous call that blocks its thread.
            return AppResponse.Result("unblocked");
        }));
        using Socket blocked = await RawClient.ConnectAsync(server.LocalEndPoint);
        blocked.Send(HostileServers.Request("block", "x"));
        Assert.StartsWith("socketkit-blocking-", await entered.Task.WaitAsync(RawClient.Timeout), StringComparison.Ordinal);

        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.Equal(v.Response, await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request));
        release.Set();
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Equal(ResultJson("unblocked"), Result(Assert.Single(Decode(await RawClient.ReadToEndAsync(blocked, cts.Token)))));
    }

    [Fact]
    public async Task WhileAHandlerWorksReadingPausesOnceLaterRequestsReachTheirLimitAndResumesAfter()
    {
        var gates = new Gates();
        const int Limit = 1024;
        await using AppServer server = StartServer(s => s.MapAction("wait", gates.Wait), limits: new ServerLimits { MaxPipelinedBytes = Limit });
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] first = HostileServers.Request("wait", "head", keepAlive: true);
        client.Send(first);
        await gates.Entered("head").Task.WaitAsync(RawClient.Timeout);

        // 1 MiB of pipelined requests behind it, the last without keep-alive; answers are read as they come.
        byte[] one = HostileServers.Request("search", "morpheus", keepAlive: true);
        int count = 1024 * 1024 / one.Length;
        byte[] behind = [.. Enumerable.Range(0, count).SelectMany(i => i == count - 1 ? HostileServers.Request("search", "ring") : one)];
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Task<byte[]> reading = RawClient.ReadToEndAsync(client, cts.Token);
        Task sending = client.SendAsync(behind, SocketFlags.None);
        SocketServer listener = server.Listeners.Servers[0];
        // What must not happen needs a moment to show: the server reads at most one read (64 KiB) past the limit.
        await Task.Delay(TestTimeouts.ShortWait);
        Assert.InRange(listener.Counters.BytesReceived, first.Length, first.Length + Limit + 64 * 1024);

        gates.Gate("head").SetResult("head answered");
        await sending.WaitAsync(RawClient.Timeout);
        List<Message> answers = Decode(await reading);
        Assert.Equal(count + 1, answers.Count);
        Assert.Equal(ResultJson("head answered"), Result(answers[0]));
        Assert.Equal(ResultJson("Follow the white rabbit. \U0001F430"), Result(answers[1]));
        Assert.Equal(ResultJson("In the caves beneath the Misty Mountains. \U0001F48D"), Result(answers[^1]));
    }

    public static TheoryData<string> Transports => ["TLS", "Unix"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AnswersThatComeLaterReachTheClientInOrderOverTlsAndUnixSockets(string name)
    {
        TestTransport transport = name == "TLS" ? TestTransport.Tls : TestTransport.Unix;
        var gates = new Gates();
        AppRouter router = TutorialHandlers.CreateRouter().MapAction("wait", gates.Wait);
        await using SocketServer server = SocketServer.Start(TestServers.Options(Engine, transport) with { Loops = 1 }, c => new AppServerHandler(router, c));
        await using RawConnection connection = await transport.ConnectAsync(server);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        await connection.SendAsync((byte[])[.. HostileServers.Request("wait", "later", keepAlive: true), .. HostileServers.Request("search", "ring")], cts.Token);
        await gates.Entered("later").Task.WaitAsync(RawClient.Timeout);
        gates.Gate("later").SetResult("after a wait");
        List<Message> answers = Decode(await connection.ReadToEndAsync(cts.Token));
        Assert.Equal([ResultJson("after a wait"), ResultJson("In the caves beneath the Misty Mountains. \U0001F48D")], answers.Select(Result));
    }

    [Fact]
    public async Task BehindAProxyHeaderTheHandlerThatAwaitsSeesTheClientItNames()
    {
        var router = new AppRouter().MapAction("who", async (request, cancel) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancel); // Answered later, from another thread.
            return AppResponse.Result($"{EndPoints.Format(request.Connection!.RemoteEndPoint)} {EndPoints.Format(request.Connection.Connection!.RemoteEndPoint)}");
        });
        await using ServerGroup server = new ServerBuilder(TestServers.Options(Engine) with { Loops = 1 }).RequireProxyProtocol()
            .UseHandler(c => new AppServerHandler(router, c)).Start();
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint,
            [.. "PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n"u8, .. HostileServers.Request("who", "")]);
        Assert.Equal(ResultJson("203.0.113.7:5555 203.0.113.7:5555"), Result(Assert.Single(Decode(answer))));
    }

    [Fact]
    public async Task BytesPushedFromAnotherThreadReachTheClientInOrder()
    {
        var accepted = new TaskCompletionSource<ConnectionHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = Engine, Loops = 1 };
        await using SocketServer server = SocketServer.Start(options, connection =>
        {
            accepted.TrySetResult(connection.Connection!);
            return new EchoHandler();
        });
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        ConnectionHandle handle = await accepted.Task.WaitAsync(RawClient.Timeout);
        Assert.True(server.Connections.TryGet(handle.Id, out ConnectionHandle? found));
        Assert.Same(handle, found);

        // Two threads push at once, each its own numbered lines: each thread's lines arrive whole and in its order.
        byte[][] lines = [.. Enumerable.Range(0, 2000).Select(i => Encoding.ASCII.GetBytes($"{i % 2}:{i / 2:D5}\n"))];
        await Task.WhenAll(Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (int i = t; i < lines.Length; i += 2) Assert.True(handle.Send(lines[i]));
        })));
        handle.Close();
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        string[] received = Encoding.ASCII.GetString(await RawClient.ReadToEndAsync(client, cts.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, received.Length);
        foreach (string thread in new[] { "0", "1" })
        {
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{thread}:{i:D5}"), received.Where(l => l.StartsWith(thread + ":", StringComparison.Ordinal)));
        }
        Assert.False(handle.Send("late"u8.ToArray()), "a closed connection takes nothing");
    }

    [Fact]
    public async Task ABroadcastReachesEveryReaderAndCutsOffAClientThatDoesNotRead()
    {
        const int SendLimit = 256 * 1024;
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = Engine,
            Loops = 1,
            Limits = new ServerLimits { MaxSendBufferBytes = SendLimit },
        };
        await using SocketServer server = SocketServer.Start(options, _ => new EchoHandler());
        using Socket reader = await RawClient.ConnectAsync(server.LocalEndPoint);
        using Socket stalled = await RawClient.ConnectAsync(server.LocalEndPoint);
        await Eventually.TrueAsync(() => server.Connections.Count == 2, "both clients are registered");

        byte[] chunk = new byte[1024];
        Random.Shared.NextBytes(chunk);
        const int Chunks = 16 * 1024; // 16 MiB: far more than the stalled client's buffers and the send limit together.
        long read = 0;
        var received = new byte[Chunks * chunk.Length];
        using var cts = new CancellationTokenSource(RawClient.Timeout * 3);
        Task reading = Task.Run(async () =>
        {
            while (read < received.Length)
            {
                int n = await reader.ReceiveAsync(received.AsMemory((int)read), SocketFlags.None, cts.Token);
                if (n == 0) break;
                Interlocked.Add(ref read, n);
            }
        });
        for (int i = 0; i < Chunks; i++)
        {
            // Paced by the reader, as a chat's lines are: the reader stays well within the send limit, the stalled client does not.
            long sent = (long)i * chunk.Length;
            if (sent - Interlocked.Read(ref read) > SendLimit / 2)
            {
                await Eventually.TrueAsync(() => sent - Interlocked.Read(ref read) <= SendLimit / 4, "the reader keeps up");
            }
            server.Connections.Broadcast(chunk);
        }
        await reading.WaitAsync(cts.Token);
        Assert.Equal(received.Length, Interlocked.Read(ref read));
        for (int i = 0; i < Chunks; i++) Assert.True(received.AsSpan(i * chunk.Length, chunk.Length).SequenceEqual(chunk), $"chunk {i} of {Chunks}: {Convert.ToHexString(received.AsSpan(i * chunk.Length, 16))} for {Convert.ToHexString(chunk.AsSpan(0, 16))}");
        await Eventually.TrueAsync(() => server.Counters.ConnectionsCutOff == 1, "the client that does not read is cut off");
        Assert.True(await HostileServers.IsClosedByServerAsync(stalled, RawClient.Timeout));
    }
}

public sealed class BlockingAsyncHandlerTests() : AsyncHandlerConformanceTests(EngineKind.Blocking);

public sealed class SelectAsyncHandlerTests() : AsyncHandlerConformanceTests(EngineKind.Select);
