using Microsoft.Extensions.Time.Testing;

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
        RequestTimeout = TimeSpan.FromSeconds(10),
        IdleTimeout = TimeSpan.FromSeconds(30),
        MinDataRateGracePeriod = TimeSpan.FromSeconds(5),
        MinRequestContentBytesPerSecond = 100,
        MinResponseBytesPerSecond = 100,
    };

    [Fact]
    public void ANewConnectionIsDueAtItsRequestTimeout()
    {
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts);
        AssertNextCheckIn(time, clock, Timeouts.RequestTimeout);
        AssertClosesAfter(time, clock, Timeouts.RequestTimeout, ConnectionCloseReason.RequestTimeout);
    }

    [Fact]
    public void BetweenRequestsItIsDueAtTheIdleTimeoutAndARequestBegunBringsItForward()
    {
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts);
        clock.Received(ConnectionPhase.Idle, bytes: 10);
        long idle = clock.NextCheckAt;
        Assert.Equal(time.GetTimestamp() + Ticks(time, Timeouts.IdleTimeout), idle);
        time.Advance(TimeSpan.FromSeconds(3));
        clock.Received(ConnectionPhase.Request, bytes: 1);
        AssertNextCheckIn(time, clock, Timeouts.RequestTimeout);
        Assert.True(clock.NextCheckAt < idle);
    }

    [Fact]
    public void AHandlerAtWorkIsDueAtTheHandlerTimeoutFromItsStartWhateverArrivesMeanwhile()
    {
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts with { HandlerTimeout = TimeSpan.FromSeconds(20) });
        clock.Received(ConnectionPhase.Handling, bytes: 100); // The request is whole; its handler is at work.
        long due = time.GetTimestamp() + Ticks(time, TimeSpan.FromSeconds(20));
        Assert.Equal(due, clock.NextCheckAt);
        Assert.False(clock.IsIdle, "a stopping server waits for a handler at work");
        time.Advance(TimeSpan.FromSeconds(15));
        clock.Received(ConnectionPhase.Handling, bytes: 50); // A pipelined request arrives: it does not move the deadline.
        Assert.Equal(due, clock.NextCheckAt);
        Assert.Null(clock.Check());
        AssertClosesAfter(time, clock, TimeSpan.FromSeconds(5), ConnectionCloseReason.HandlerTimeout);
    }

    [Fact]
    public void OnceTheHandlerAnswersTheNextRequestOrTheIdleGapIsTimedFromThen()
    {
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts with { HandlerTimeout = TimeSpan.FromSeconds(20) });
        clock.Received(ConnectionPhase.Handling, bytes: 100);
        time.Advance(TimeSpan.FromSeconds(12));
        clock.Received(ConnectionPhase.Request, bytes: 0); // Answered, and the next request already waits.
        AssertNextCheckIn(time, clock, Timeouts.RequestTimeout);
        clock.Received(ConnectionPhase.Handling, bytes: 0); // Its handler is at work too: a deadline of its own.
        AssertNextCheckIn(time, clock, TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(1));
        clock.Received(ConnectionPhase.Request, bytes: 0);
        clock.Received(ConnectionPhase.Idle, bytes: 0); // Answered; nothing waits.
        AssertNextCheckIn(time, clock, Timeouts.IdleTimeout);
        Assert.True(clock.IsIdle);
    }

    [Fact]
    public void ContentSentSlowerThanTheRateIsDueWhenTheAverageFallsBelowIt()
    {
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts with { RequestTimeout = TimeSpan.FromMinutes(5) });
        clock.Received(ConnectionPhase.Content, bytes: 0); // The header is whole: content begins.
        clock.Received(ConnectionPhase.Content, bytes: 800); // 800 B at 100 B/s pays for 8 s.
        AssertNextCheckIn(time, clock, TimeSpan.FromSeconds(8));
        time.Advance(TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(10));
        Assert.Null(clock.Check());
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(ConnectionCloseReason.SlowRequestContent, clock.Check());
    }

    [Fact]
    public void WithTlsANewConnectionIsDueAtItsHandshakeTimeoutFirst()
    {
        TimeSpan handshake = TimeSpan.FromSeconds(3);
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts, handshake);
        AssertNextCheckIn(time, clock, handshake);
        AssertClosesAfter(time, clock, handshake, ConnectionCloseReason.HandshakeTimeout);
    }

    [Fact]
    public void TheHandshakeDeadlineHoldsWhileTheServerWaitsOnTheReader()
    {
        // The server's hello not taken whole: the reader's rate is timed, and the handshake's deadline still stands.
        TimeSpan handshake = Timeouts.MinDataRateGracePeriod / 2;
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts, handshake);
        long started = time.GetTimestamp();
        clock.SendStarted();
        Assert.Equal(started + Ticks(time, handshake), clock.NextCheckAt);
        time.Advance(handshake);
        Assert.Equal(ConnectionCloseReason.HandshakeTimeout, clock.Check());
    }

    [Fact]
    public void OnceTheHandshakeIsDoneOnlyTheRequestTimeoutRunsFromTheConnectionsStart()
    {
        TimeSpan handshake = TimeSpan.FromSeconds(3);
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts, handshake);
        long started = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(1));
        clock.HandshakeDone();
        Assert.Equal(started + Ticks(time, Timeouts.RequestTimeout), clock.NextCheckAt);
        time.Advance(handshake);
        Assert.Null(clock.Check());
        time.Advance(Timeouts.RequestTimeout - handshake - TimeSpan.FromSeconds(1));
        Assert.Equal(ConnectionCloseReason.RequestTimeout, clock.Check());
    }

    [Fact]
    public void AHandshakeTimeoutLongerThanTheRequestTimeoutNeverComesDue()
    {
        // Both run from the connection's start: the shorter request timeout closes a handshake that drags on.
        (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts, Timeouts.RequestTimeout * 2);
        AssertNextCheckIn(time, clock, Timeouts.RequestTimeout);
        time.Advance(Timeouts.RequestTimeout);
        Assert.Equal(ConnectionCloseReason.RequestTimeout, clock.Check());
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
            (FakeTimeProvider time, ConnectionClock clock) = Start(Timeouts);
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
                    case 0: clock.Received(ConnectionPhase.Request, random.Next(1, 100)); break;
                    case 1: clock.Received(ConnectionPhase.Content, random.Next(0, 2_000)); break;
                    case 2: clock.Received(ConnectionPhase.Idle, random.Next(1, 100)); break;
                    case 3: if (!sending) { sending = true; clock.SendStarted(); } break;
                    case 4: if (sending) clock.Sent(random.Next(0, 1_000)); break;
                    default: if (sending) { sending = false; clock.SendDone(); } break;
                }
            }
        }
    }

    /// <summary>A new connection's clock, on a fake time of its own.</summary>
    private static (FakeTimeProvider Time, ConnectionClock Clock) Start(ServerTimeouts timeouts, TimeSpan? handshake = null)
    {
        var time = new FakeTimeProvider();
        return (time, new ConnectionClock(timeouts, time, handshake));
    }

    private static void AssertNextCheckIn(FakeTimeProvider time, ConnectionClock clock, TimeSpan fromNow) =>
        Assert.Equal(time.GetTimestamp() + Ticks(time, fromNow), clock.NextCheckAt);

    /// <summary>Nothing is due a millisecond before <paramref name="fromNow"/> has passed; then <paramref name="reason"/> is.</summary>
    private static void AssertClosesAfter(FakeTimeProvider time, ConnectionClock clock, TimeSpan fromNow, ConnectionCloseReason reason)
    {
        time.Advance(fromNow - TimeSpan.FromMilliseconds(1));
        Assert.Null(clock.Check());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(reason, clock.Check());
    }

    private static long Ticks(TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
