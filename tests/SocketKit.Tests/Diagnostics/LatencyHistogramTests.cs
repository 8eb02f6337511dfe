using SocketKit.Diagnostics.Bench;

namespace SocketKit.Tests.Diagnostics;

[Tier(TestTier.Unit)]
public class LatencyHistogramTests
{
    [Fact]
    public void AnEmptyHistogramReportsZero()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Count);
        Assert.Equal(0, h.ValueAtPercentile(99));
        Assert.Equal(0, h.Max);
    }

    [Fact]
    public void PercentilesAreWithinOneSixtyFourthOfTheExactValueAndNeverBelowIt()
    {
        var random = new Random(12345);
        long[] values = [.. Enumerable.Range(0, 20_000).Select(_ => (long)Math.Exp(random.NextDouble() * 23))]; // 1 ns .. ~10 s
        var h = new LatencyHistogram();
        foreach (long v in values)
        {
            h.Record(v);
        }
        Array.Sort(values);
        foreach (double p in new[] { 0.1, 50, 90, 99, 99.9, 100 })
        {
            long exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            long reported = h.ValueAtPercentile(p);
            Assert.InRange(reported, exact, exact + Math.Max(1, exact / 64));
        }
        Assert.Equal(values[^1], h.Max);
        Assert.Equal(values.Length, h.Count);
    }

    [Fact]
    public void SmallValuesAreExact()
    {
        var h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++)
        {
            h.Record(v);
        }
        Assert.Equal(50, h.ValueAtPercentile(50));
        Assert.Equal(99, h.ValueAtPercentile(99));
    }

    [Fact]
    public async Task RecordingFromManyThreadsLosesNothing()
    {
        var h = new LatencyHistogram();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                h.Record(1000 + t);
            }
        })));
        Assert.Equal(40_000, h.Count);
        Assert.Equal(1003, h.Max);
    }
}
