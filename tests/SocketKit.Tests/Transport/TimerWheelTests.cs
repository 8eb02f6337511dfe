using SocketKit.Transport.Readiness;
namespace SocketKit.Tests.Transport;

/// <summary>The readiness loops' timer wheel: entries come due at their tick, never before, and move or leave in O(1).</summary>
[Tier(TestTier.Unit)]
public sealed class TimerWheelTests
{
    private sealed class Entry(string name) : TimerWheelEntry
    {
        public string Name { get; } = name;
    }

    private const long Tick = 100;

    [Theory]
    [InlineData(1_000, 16, 1_250, 1_300)] // At the first tick at or after its time.
    [InlineData(1_000, 16, 500, 1_100)] // Already due: at the next tick.
    [InlineData(0, 8, 100_000, 700)] // Beyond the ring: back early at its farthest slot (7 ticks of 8), for its owner to reschedule.
    public void AnEntryComesDueAtItsTickAndNotBefore(long now, int slots, long due, long comesDue)
    {
        var wheel = new TimerWheel(now, Tick, slots);
        wheel.Schedule(new Entry("a"), due);
        Assert.Empty(Advance(wheel, comesDue - 1));
        Assert.Equal(["a"], Advance(wheel, comesDue));
        Assert.Equal(0, wheel.Count);
        Assert.Empty(Advance(wheel, comesDue + 50 * Tick));
    }

    [Fact]
    public void TheWheelSaysWhenItsEarliestEntryComesDueSoItsLoopCanSleepUntilThen()
    {
        var wheel = new TimerWheel(now: 1_000, Tick, slots: 16);
        Assert.Equal(long.MaxValue, wheel.NextDue());
        var later = new Entry("later");
        var sooner = new Entry("sooner");
        Assert.Equal(1_500, wheel.Schedule(later, due: 1_450));
        Assert.Equal(1_300, wheel.Schedule(sooner, due: 1_201));
        Assert.Equal(1_300, wheel.NextDue());
        Assert.Empty(Advance(wheel, 1_299));
        Assert.Equal(["sooner"], Advance(wheel, 1_300));
        Assert.Equal(1_500, wheel.NextDue());
        wheel.Remove(later);
        Assert.Equal(long.MaxValue, wheel.NextDue());
    }

    [Fact]
    public void AnEmptyWheelLeftAloneCatchesUpBeforeItTakesAnEntry()
    {
        var wheel = new TimerWheel(now: 0, Tick, slots: 16);
        // Nothing advanced it for far longer than its ring: caught up, a new entry waits for its own tick.
        wheel.CatchUp(now: 100_000);
        Assert.Equal(100_500, wheel.Schedule(new Entry("new"), due: 100_450));
        Assert.Empty(Advance(wheel, 100_499));
        Assert.Equal(["new"], Advance(wheel, 100_500));
    }

    [Fact]
    public void RescheduledAndRemovedEntriesComeDueOnlyAtTheirNewTimeOrNever()
    {
        var wheel = new TimerWheel(now: 0, Tick, slots: 16);
        var moved = new Entry("moved");
        var removed = new Entry("removed");
        var kept = new Entry("kept");
        wheel.Schedule(moved, 300);
        wheel.Schedule(removed, 300);
        wheel.Schedule(kept, 300);
        wheel.Schedule(moved, 700);
        wheel.Remove(removed);
        wheel.Remove(removed); // Twice is harmless.
        Assert.Equal(2, wheel.Count);
        Assert.Equal(["kept"], Advance(wheel, 300));
        Assert.Equal(["moved"], Advance(wheel, 700));
    }

    [Fact]
    public void ALongPauseHandsOverEverythingDueInIt()
    {
        var wheel = new TimerWheel(now: 0, Tick, slots: 8);
        for (int i = 1; i <= 7; i++) wheel.Schedule(new Entry($"e{i}"), i * Tick);
        Assert.Equal(["e1", "e2", "e3", "e4", "e5", "e6", "e7"], Advance(wheel, 10 * Tick).Order());
    }

    [Fact]
    public void ManyEntriesInOneSlotAllComeDueAndEachOnlyOnce()
    {
        var wheel = new TimerWheel(now: 0, Tick, slots: 64);
        var entries = Enumerable.Range(0, 1_000).Select(i => new Entry($"{i}")).ToList();
        foreach (Entry e in entries) wheel.Schedule(e, 250);
        foreach (Entry e in entries.Where((_, i) => i % 2 == 0)) wheel.Remove(e);
        List<string> due = Advance(wheel, 300);
        Assert.Equal(500, due.Count);
        Assert.Equal(500, due.Distinct().Count());
        Assert.All(due, name => Assert.True(int.Parse(name) % 2 == 1));
    }

    private static List<string> Advance(TimerWheel wheel, long now)
    {
        var due = new List<TimerWheelEntry>();
        wheel.Advance(now, due);
        return [.. due.Cast<Entry>().Select(e => e.Name)];
    }
}
