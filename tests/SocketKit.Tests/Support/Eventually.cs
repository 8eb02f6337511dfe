namespace SocketKit.Tests.Support;

/// <summary>Waits for a condition the code under test will make true, checking often, never longer than the timeout.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not within {limit.TotalSeconds:0.#} s: {what}");
            }
            await Task.Delay(10);
        }
    }
}
