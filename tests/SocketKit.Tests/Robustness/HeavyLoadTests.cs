using System.Collections.Concurrent;

namespace SocketKit.Tests.Robustness;

[CollectionDefinition("Heavy", DisableParallelization = true)]
public sealed class HeavyCollection;

/// <summary>
/// Slowloris and floods at full size (1,000 slowloris connections, 10,000 resets, 100,000 cycles), on every engine. They run alone (no other test shares the
/// machine meanwhile), so the process's descriptors and memory are theirs to measure. Each is bounded in count and time.
/// </summary>
[Collection("Heavy")]
[Tier(TestTier.Heavy)]
public class HeavyLoadTests
{
    private const int Slowloris = 1_000;
    private const int Resets = 10_000;
    private const int Cycles = 100_000;

    [Theory]
    [InlineData(EngineKind.Blocking)]
    [InlineData(EngineKind.Select)]
    public async Task AThousandDribblingConnectionsAreAllClosedByTheRequestTimeoutWhileAGoodClientIsServed(EngineKind engine)
    {
        var timeouts = new ServerTimeouts { RequestTimeout = TimeSpan.FromSeconds(2) };
        // Timed by the server, from its accept of each connection to its close: what a client sees adds this test's
        // own 1,000 connects and close notifications on two shared cores, which is not the server's delay.
        var closes = new ConcurrentQueue<(long Id, ConnectionCloseReason Reason, TimeSpan Lifetime)>();
        await using SocketServer server = HostileServers.App(engine, timeouts: timeouts,
            onClosing: (info, reason) => closes.Enqueue((info.Id, reason, Stopwatch.GetElapsedTime(info.OpenedAt))));
        byte[] request = ReferenceVectors.Get("search-morpheus").Request;

        var sockets = new Socket[Slowloris];
        try
        {
            for (int batch = 0; batch < Slowloris; batch += 100)
            {
                await Task.WhenAll(Enumerable.Range(batch, 100).Select(async i => sockets[i] = await RawClient.ConnectAsync(server.LocalEndPoint)));
            }
            // Every wait below is bounded and shorter than this: a watcher still waiting then ends, failing the test.
            TimeSpan watchLimit = TimeSpan.FromSeconds(30);
            using var watching = new CancellationTokenSource(watchLimit);
            Task[] watchers = [.. Enumerable.Range(0, Slowloris).Select(async i =>
            {
                byte[] sink = new byte[256];
                try
                {
                    while (await sockets[i].ReceiveAsync(sink, SocketFlags.None, watching.Token) > 0) { }
                }
                catch (SocketException)
                {
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"dribbling connection {i} was not closed within {watchLimit.TotalSeconds} s");
                }
            })];
            Task allClosed = Task.WhenAll(watchers);

            // One byte a second on every connection, and a well-behaved client all along.
            int good = 0;
            Task goodClient = Task.Run(async () =>
            {
                while (!allClosed.IsCompleted)
                {
                    await HostileServers.AssertServesAsync(server);
                    good++;
                }
            });
            for (int second = 0; !allClosed.IsCompleted && second < 10; second++)
            {
                foreach (Socket s in sockets)
                {
                    try { s.Send(request.AsSpan(second, 1)); } catch (SocketException) { }
                }
                await Task.WhenAny(allClosed, Task.Delay(1000));
            }
            await allClosed.WaitAsync(TimeSpan.FromSeconds(10));
            await goodClient.WaitAsync(RawClient.Timeout);
            // A client sees its close before the server's thread for it has counted why: wait for every close to be counted.
            await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "every close is counted");

            TimeSpan[] lifetimes = [.. closes.Where(c => c.Reason == ConnectionCloseReason.RequestTimeout).Select(c => c.Lifetime)];
            TimeSpan latest = lifetimes.Max();
            Console.WriteLine($"{engine}: {Slowloris} dribbling connections closed {lifetimes.Min().TotalSeconds:0.000} to {latest.TotalSeconds:0.000} s after the server accepted them " +
                $"(request timeout {timeouts.RequestTimeout.TotalSeconds:0} s); the good client was served {good} times meanwhile");
            Assert.Equal(Slowloris, lifetimes.Length);
            Assert.Equal(Slowloris, server.Counters.ConnectionsTimedOut);
            Assert.All(closes.Where(c => c.Reason != ConnectionCloseReason.RequestTimeout), c => Assert.Equal(ConnectionCloseReason.Done, c.Reason));
            Assert.True(lifetimes.Min() >= timeouts.RequestTimeout, $"closed early: {lifetimes.Min()}");
            Assert.True(latest <= timeouts.RequestTimeout + TimeSpan.FromSeconds(1), $"latest close {latest} after accept");
            Assert.True(good > 0, "the good client was served during the attack");
        }
        finally
        {
            // Whatever happened: a socket left open would hold its connection, and its watcher, past the test.
            foreach (Socket s in sockets) s?.Dispose();
        }
    }

    [Theory]
    [InlineData(EngineKind.Blocking)]
    [InlineData(EngineKind.Select)]
    public async Task TenThousandResetsThenAHundredThousandCyclesLeaveTheServerServingWithItsDescriptorsAndMemory(EngineKind engine)
    {
        await using SocketServer server = HostileServers.App(engine);
        // Warm up every path the load takes (JIT, pools, caches, thread pool size) before the baseline is read. As
        // many resets as measured: the runtime's socket tables grow to the most sockets open at once and keep that
        // size, which is not memory a server leaks.
        await ResetAsync(server, Resets);
        await RunCyclesAsync(server, 2_000);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "the warm-up connections close");
        int descriptorsBefore = OpenDescriptors();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        // Connections that reset right after connecting: RST instead of FIN, before or after the server accepts.
        await ResetAsync(server, Resets);
        TimeSpan resetsTook = clock.Elapsed;
        await HostileServers.AssertServesAsync(server);

        await RunCyclesAsync(server, Cycles);
        TimeSpan total = clock.Elapsed;
        await HostileServers.AssertServesAsync(server);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "every connection closes");

        int descriptorsAfter = OpenDescriptors();
        long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(descriptorsAfter <= descriptorsBefore * 1.1, $"descriptors {descriptorsBefore} -> {descriptorsAfter}");
        Assert.True(memoryAfter <= memoryBefore * 1.1, $"managed memory {memoryBefore:N0} -> {memoryAfter:N0} bytes");
        Console.WriteLine($"{engine}: {Resets} resets in {resetsTook.TotalSeconds:0.0} s, {Cycles} cycles in {(total - resetsTook).TotalSeconds:0.0} s; " +
            $"descriptors {descriptorsBefore} -> {descriptorsAfter}, managed memory {memoryBefore:N0} -> {memoryAfter:N0} bytes");
    }

    private static Task ResetAsync(SocketServer server, int count) => ParallelAsync(count, 32, async _ =>
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint).WaitAsync(RawClient.Timeout);
        socket.LingerState = new LingerOption(true, 0);
    });

    private static async Task RunCyclesAsync(SocketServer server, int count)
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        int wrong = 0;
        await ParallelAsync(count, 16, async _ =>
        {
            byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, v.Request);
            if (!answer.AsSpan().SequenceEqual(v.Response)) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    private static async Task ParallelAsync(int count, int workers, Func<int, Task> body)
    {
        int next = -1;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                cts.Token.ThrowIfCancellationRequested();
                await body(i);
            }
        })));
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
