using System.Collections.Concurrent;

namespace SocketKit.Applications.App;

/// <summary>
/// Threads of their own for handlers that must block (a synchronous library call, a file read without an async API):
/// they run here, never on a readiness loop, and never on the thread pool, whose threads the async handlers' awaits
/// need (blocking them starves every await in the process). Threads start as work comes, up to
/// <see cref="MaxThreads"/>; work beyond that waits its turn.
/// </summary>
internal sealed class BlockingWorkers
{
    private readonly BlockingCollection<Action> _queue = [];
    private int _threads;
    private int _idle;

    /// <param name="maxThreads">The most threads it starts.</param>
    public BlockingWorkers(int maxThreads) => MaxThreads = maxThreads;

    /// <summary>The process's workers: 8 threads per core, at least 16, as a blocked thread costs only its stack.</summary>
    public static BlockingWorkers Shared { get; } = new(Math.Max(16, Environment.ProcessorCount * 8));

    public int MaxThreads { get; }

    /// <summary>Runs <paramref name="handler"/> on a worker; the task completes on that worker, its continuations elsewhere.</summary>
    public Task<AppResponse> Run(Func<AppRequest, CancellationToken, AppResponse> handler, AppRequest request, CancellationToken cancel)
    {
        var answer = new TaskCompletionSource<AppResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                cancel.ThrowIfCancellationRequested();
                answer.SetResult(handler(request, cancel));
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        });
        if (Volatile.Read(ref _idle) == 0 && Interlocked.Increment(ref _threads) is var count)
        {
            if (count <= MaxThreads)
            {
                new Thread(Work) { IsBackground = true, Name = $"socketkit-blocking-{count}" }.Start();
            }
            else
            {
                Interlocked.Decrement(ref _threads);
            }
        }
        return answer.Task;
    }

    private void Work()
    {
        Interlocked.Increment(ref _idle);
        foreach (Action work in _queue.GetConsumingEnumerable())
        {
            Interlocked.Decrement(ref _idle);
            work();
            Interlocked.Increment(ref _idle);
        }
    }
}
