using SocketKit.Metrics;

namespace SocketKit.Tests.Metrics;

/// <summary>The per-processor count every loop adds to: no add is lost, whichever cores the adding threads run on.</summary>
[Tier(TestTier.Unit)]
public sealed class StripedCounterTests
{
    [Fact]
    public void AddsFromManyThreadsAtOnceSumToTheirTotal()
    {
        var counter = new StripedCounter();
        const int Threads = 8, Adds = 100_000;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int i = 0; i < Adds; i++) counter.Add(t + 1);
        });
        Assert.Equal(Adds * (long)Enumerable.Range(1, Threads).Sum(), counter.Sum());
    }

    [Fact]
    public void ANewCounterIsZero() => Assert.Equal(0, new StripedCounter().Sum());
}
