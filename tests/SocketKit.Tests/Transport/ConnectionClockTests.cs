using Microsoft.Extensions.Time.Testing;
using SocketKit.Transport;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The connection clock's next deadline, which the readiness loops' timer wheel relies on: a timeout never comes due
/// before the time <see cref="ConnectionClock.NextCheckAt"/> names, so a wheel that looks then misses none.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ConnectionClockTests
{
    private static readonly ServerTimeouts Timeouts = new()
    {
        HeaderTimeout = TimeSpan.FromSeconds(10),
        IdleTimeout = TimeSpan.FromSeconds(30),
        MinDataRateGracePeriod = TimeSpan.FromSeconds(5),
        MinRequestContentBytesPerSecond = 100,
        MinResponseBytesPerSecond = 100,
    };

    [Fact]
    public void ANewConnectionIsDueAtItsHeaderTimeout()
    {
        var time = new FakeTimeProvider();
        var clock = new ConnectionClock(Timeouts, time);
        Assert.Equal(time.GetTimestamp() + Ticks(time, Timeouts.HeaderTimeout), clock.NextCheckAt);
        time.Advance(Timeouts.HeaderTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Null(clock.Check());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ConnectionCloseReason.HeaderTimeout, clock.Check());
    }

    [Fact]
    public void BetweenRequestsItIsDueAtTheIdleTimeoutAndARequestBegunBringsItForward()
    {
        var time = new FakeTimeProvider();
        var clock = new ConnectionClock(Timeouts, time);
        clock.Received(betweenRequests: true, inContent: false, bytes: 10);
        long idle = clock.NextCheckAt;
        Assert.Equal(time.GetTimestamp() + Ticks(time, Timeouts.IdleTimeout), idle);
        time.Advance(TimeSpan.FromSeconds(3));
        clock.Received(betweenRequests: false, inContent: false, bytes: 1);
        Assert.Equal(time.GetTimestamp() + Ticks(time, Timeouts.HeaderTimeout), clock.NextCheckAt);
        Assert.True(clock.NextCheckAt < idle);
    }

    [Fact]
    public void ContentSentSlowerThanTheRateIsDueWhenTheAverageFallsBelowIt()
    {
        var time = new FakeTimeProvider();
        var clock = new ConnectionClock(Timeouts with { HeaderTimeout = TimeSpan.FromMinutes(5) }, time);
        clock.Received(betweenRequests: false, inContent: true, bytes: 0); // The header is whole: content begins.
        clock.Received(betweenRequests: false, inContent: true, bytes: 800); // 800 B at 100 B/s pays for 8 s.
        long started = time.GetTimestamp();
        Assert.Equal(started + Ticks(time, TimeSpan.FromSeconds(8)), clock.NextCheckAt);
        time.Advance(TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(10));
        Assert.Null(clock.Check());
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(ConnectionCloseReason.SlowRequestContent, clock.Check());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void NoTimeoutComesDueBeforeTheTimeNextCheckAtNames(int seed)
    {
        // Random conversations: a timer that looks only at NextCheckAt (as it stands after the last event) must never
        // find that a timeout was already due a moment earlier; at NextCheckAt it looks, and closes or looks again.
        var random = new Random(seed);
        for (int conversation = 0; conversation < 200; conversation++)
        {
            var time = new FakeTimeProvider();
            var clock = new ConnectionClock(Timeouts, time);
            bool sending = false;
            for (int step = 0; step < 40; step++)
            {
                long next = clock.NextCheckAt;
                long gap = Ticks(time, TimeSpan.FromMilliseconds(random.Next(1, 20_000)));
                long now = time.GetTimestamp();
                if (now + gap >= next)
                {
                    // The timer looks at `next`: nothing is due just before it, something may be due at it.
                    time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond * (next - now - 1) / time.TimestampFrequency));
                    Assert.True(clock.Check() is null, $"seed {seed}, conversation {conversation}, step {step}: due before NextCheckAt");
                    time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond * 2 / time.TimestampFrequency + 1));
                    if (clock.Check() is not null) break; // Due at its time: closed.
                    continue; // Nothing at it (a send made progress): the timer looks again at the new NextCheckAt.
                }
                time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond * gap / time.TimestampFrequency));
                switch (random.Next(6))
                {
                    case 0: clock.Received(betweenRequests: false, inContent: false, random.Next(1, 100)); break;
                    case 1: clock.Received(betweenRequests: false, inContent: true, random.Next(0, 2_000)); break;
                    case 2: clock.Received(betweenRequests: true, inContent: false, random.Next(1, 100)); break;
                    case 3: if (!sending) { sending = true; clock.SendStarted(); } break;
                    case 4: if (sending) clock.Sent(random.Next(0, 1_000)); break;
                    default: if (sending) { sending = false; clock.SendDone(); } break;
                }
            }
        }
    }

    private static long Ticks(TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
