namespace SocketKit.Transport.Engines;

/// <summary>
/// Work that blocks a thread for its whole life (a blocking accept loop, a readiness loop), on a thread of its own
/// rather than the pool's, as a task that completes when the work returns or faults with what it threw.
/// </summary>
internal static class DedicatedThread
{
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = name }.Start();
        return done.Task;
    }
}
