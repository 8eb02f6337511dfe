using SocketKit.Transport.Readiness;
namespace SocketKit.Tests.Transport;

/// <summary>The selector behaves as Python's selectors on every mechanism this platform has: poll everywhere, epoll on Linux, kqueue on macOS and the BSDs.</summary>
[Tier(TestTier.Socket)]
public sealed class SelectorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static TheoryData<SelectorMechanism> Mechanisms()
    {
        var data = new TheoryData<SelectorMechanism> { SelectorMechanism.Poll };
        if (OperatingSystem.IsLinux()) data.Add(SelectorMechanism.Epoll);
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) data.Add(SelectorMechanism.Kqueue);
        return data;
    }

    [Fact]
    public void TheDefaultMechanismIsThePlatformsBest()
    {
        using var selector = new Selector<int>();
        SelectorMechanism expected = OperatingSystem.IsLinux() ? SelectorMechanism.Epoll
            : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? SelectorMechanism.Kqueue
            : SelectorMechanism.Poll;
        Assert.Equal(expected, selector.Mechanism);
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void NothingIsReadyUntilAPeerConnectsThenTheListenerIsReadable(SelectorMechanism mechanism)
    {
        using Socket listener = Listen();
        using var selector = new Selector<string>(mechanism);
        selector.Register(listener, SelectorEvents.Read, "listener");
        Assert.Empty(selector.Select(TimeSpan.Zero));

        using Socket client = Connect(listener);
        (SelectorKey<string> key, SelectorEvents mask) = Assert.Single(SelectUntilReady(selector));
        Assert.Equal("listener", key.Data);
        Assert.Same(listener, key.Socket);
        Assert.Equal(SelectorEvents.Read, mask);
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void ASocketIsReportedOnlyForWhatItWaitsFor(SelectorMechanism mechanism)
    {
        using SocketPair pair = Pair();
        using var selector = new Selector<int>(mechanism);
        selector.Register(pair.Server, SelectorEvents.Read | SelectorEvents.Write, 1);
        // Connected with an empty send buffer: writable at once, and not readable.
        Assert.Equal(SelectorEvents.Write, Assert.Single(SelectUntilReady(selector)).Mask);

        selector.Modify(pair.Server, SelectorEvents.Read);
        Assert.Equal(SelectorEvents.Read, selector.GetKey(pair.Server).Events);
        Assert.Empty(selector.Select(TimeSpan.Zero));

        pair.Client.Send([42]);
        Assert.Equal(SelectorEvents.Read, Assert.Single(SelectUntilReady(selector)).Mask);
        // Level-triggered, as Python's: still ready until it is read.
        Assert.Equal(SelectorEvents.Read, Assert.Single(selector.Select(TimeSpan.Zero)).Mask);
        Assert.Equal(1, pair.Server.Receive(new byte[8]));
        Assert.Empty(selector.Select(TimeSpan.Zero));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void APeersCloseMakesTheSocketReadableAndTheReadReturnsNothing(SelectorMechanism mechanism)
    {
        using SocketPair pair = Pair();
        using var selector = new Selector<int>(mechanism);
        selector.Register(pair.Server, SelectorEvents.Read, 1);
        pair.Client.Dispose();
        Assert.Equal(SelectorEvents.Read, Assert.Single(SelectUntilReady(selector)).Mask);
        Assert.Equal(0, pair.Server.Receive(new byte[8]));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void AnUnregisteredSocketIsNoLongerReportedAndMayBeRegisteredAgain(SelectorMechanism mechanism)
    {
        using SocketPair pair = Pair();
        using var selector = new Selector<string>(mechanism);
        selector.Register(pair.Server, SelectorEvents.Read, "first");
        pair.Client.Send([1]);
        Assert.Single(SelectUntilReady(selector));
        selector.Unregister(pair.Server);
        Assert.Equal(0, selector.Count);
        Assert.Empty(selector.Select(TimeSpan.Zero));
        Assert.Throws<KeyNotFoundException>(() => selector.GetKey(pair.Server));

        selector.Register(pair.Server, SelectorEvents.Read, "again");
        Assert.Equal("again", Assert.Single(SelectUntilReady(selector)).Key.Data);
        Assert.Throws<ArgumentException>(() => selector.Register(pair.Server, SelectorEvents.Read, "twice"));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void AmongManySocketsOnlyTheReadyOnesAreReturned(SelectorMechanism mechanism)
    {
        using Socket listener = Listen();
        var pairs = new List<SocketPair>();
        try
        {
            using var selector = new Selector<int>(mechanism);
            for (int i = 0; i < 200; i++)
            {
                SocketPair pair = Pair(listener);
                pairs.Add(pair);
                selector.Register(pair.Server, SelectorEvents.Read, i);
            }
            // Unregistering some makes the others' tokens move (poll) or stay (epoll): either way each is reported as itself.
            for (int i = 0; i < 200; i += 3) selector.Unregister(pairs[i].Server);
            int[] written = [1, 2, 50, 101, 199];
            foreach (int i in written) pairs[i].Client.Send([(byte)i]);

            var seen = new SortedSet<int>();
            DateTime deadline = DateTime.UtcNow + Wait;
            while (seen.Count < written.Length && DateTime.UtcNow < deadline)
            {
                foreach ((SelectorKey<int> key, SelectorEvents mask) in selector.Select(TimeSpan.FromMilliseconds(100)))
                {
                    Assert.Equal(SelectorEvents.Read, mask);
                    byte[] one = new byte[1];
                    Assert.Equal(1, key.Socket.Receive(one));
                    Assert.Equal(key.Data, one[0]);
                    seen.Add(key.Data);
                }
            }
            Assert.Equal(written, seen);
            Assert.Equal(200 - 67, selector.Count);
        }
        finally
        {
            pairs.ForEach(pair => pair.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void SelectWithNothingReadyReturnsEmptyAfterItsTimeout(SelectorMechanism mechanism)
    {
        using Socket listener = Listen();
        using var selector = new Selector<int>(mechanism);
        selector.Register(listener, SelectorEvents.Read, 0);
        var clock = Stopwatch.StartNew();
        Assert.Empty(selector.Select(TimeSpan.FromMilliseconds(50)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(45), $"returned after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void AMechanismThePlatformLacksIsRefusedByName()
    {
        SelectorMechanism missing = OperatingSystem.IsLinux() ? SelectorMechanism.Kqueue : SelectorMechanism.Epoll;
        var refused = Assert.Throws<PlatformNotSupportedException>(() => new Selector<int>(missing));
        Assert.Contains(missing.ToString().ToLowerInvariant(), refused.Message);
    }

    private static IReadOnlyList<(SelectorKey<T> Key, SelectorEvents Mask)> SelectUntilReady<T>(Selector<T> selector)
    {
        IReadOnlyList<(SelectorKey<T>, SelectorEvents)> ready = selector.Select(Wait);
        Assert.NotEmpty(ready);
        return ready;
    }

    private static Socket Listen() => LoopbackListeners.Start(512);

    private static Socket Connect(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return client;
    }

    private static SocketPair Pair(Socket? listener = null)
    {
        using Socket? own = listener is null ? Listen() : null;
        Socket from = listener ?? own!;
        Socket client = Connect(from);
        return new SocketPair(from.Accept(), client);
    }

    /// <summary>Both ends of one loopback connection; disposing it closes both.</summary>
    private sealed record SocketPair(Socket Server, Socket Client) : IDisposable
    {
        public void Dispose()
        {
            Server.Dispose();
            Client.Dispose();
        }
    }
}
