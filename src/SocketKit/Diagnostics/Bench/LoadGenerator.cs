using System.Diagnostics;

namespace SocketKit.Diagnostics.Bench;

/// <summary>
/// A load generator for the echo and application protocols. In a closed loop (the default) each connection sends a
/// request (or a pipelined batch), waits for the answers, records each latency, and goes on, until the duration or
/// the request count is reached; in an open loop (<see cref="BenchOptions.Rate"/>) requests are due on a fixed
/// schedule and each latency counts from its due time. A request not answered within the timeout is an error. It
/// runs on the client readiness loops (<see cref="Transport.Clients.ClientLoop"/>) and the protocol core, so it
/// measures servers of any make, SocketKit's or not; the answer it verifies against is the tutorial's, as the
/// application layer's handlers give it (so Diagnostics sits above Applications). The run's state is in
/// <c>LoadGenerator.Run.cs</c>, the loops in <c>LoadGenerator.Loops.cs</c>, a connection's part in
/// <c>LoadGenerator.LoadConnection.cs</c>.
/// </summary>
public static partial class LoadGenerator
{
    /// <summary>
    /// Runs the load; returns what it measured. Never runs longer than warm-up, idle hold and duration (plus
    /// connecting, itself bounded by the duration), and then the timeout for the answers still in flight.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The server process cannot be sampled.</exception>
    public static async Task<BenchResult> RunAsync(BenchOptions options, Action<BenchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(options);
        using var run = new Run(options, cancellationToken);
        ProcessSample? serverBefore = options.ServerPid is int pid ? ProcessSample.Read(pid) : null;

        // Without a warm-up or idle hold, measuring starts before the first connect (one-shot requests include it).
        bool measureAtOnce = options.Warmup == TimeSpan.Zero && options.Idle == TimeSpan.Zero;
        Measure? measure = measureAtOnce ? BeginMeasuring(run) : null;
        Task all = Task.WhenAll(Loops.Start(run));

        ProcessSample? idleStart = null, allConnected = null;
        long connectStart = Stopwatch.GetTimestamp();
        run.StopAt(connectStart + Ticks(options.Duration + options.Warmup + options.Idle));
        if (options.Idle > TimeSpan.Zero)
        {
            await WatchAsync(run, "connecting", run.AllConnected.Task, progress);
            if (run.AllConnected.Task.IsCompletedSuccessfully && options.ServerPid is int idlePid)
            {
                idleStart = ProcessSample.Read(idlePid);
            }
            await WatchAsync(run, "idle", Task.Delay(options.Idle, run.Token), progress);
            if (run.AllConnected.Task.IsCompletedSuccessfully && options.ServerPid is int connectedPid)
            {
                allConnected = ProcessSample.Read(connectedPid);
            }
            run.OpenGate();
        }
        if (options.Warmup > TimeSpan.Zero)
        {
            await WatchAsync(run, "warm-up", Task.Delay(options.Warmup, run.Token), progress);
        }

        measure ??= BeginMeasuring(run);
        (Stats stats, ProcessSample clientStart, ProcessSample? serverStart, long start) = measure.Value;
        long deadline = start + Ticks(options.Duration);
        run.StopAt(deadline);
        int reported = await WatchAsync(run, "measuring", all, progress, stats);
        // The answers in flight get their timeout to come (each is counted, answered or timed out), no more.
        if (!cancellationToken.IsCancellationRequested)
        {
            await all.WaitAsync(options.Timeout + TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        long end = Stopwatch.GetTimestamp();
        ProcessSample clientEnd = ProcessSample.Current();
        ProcessSample? serverEnd = options.ServerPid is int endPid ? ProcessSample.Read(endPid) : null;
        run.Stop();
        await all.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (progress is not null)
        {
            foreach (BenchSecond second in stats.Timeline(end, partial: true).Skip(reported))
            {
                progress(new BenchProgress("measuring", Stopwatch.GetElapsedTime(start, end), stats.Completed, stats.ErrorCount, second));
            }
        }

        return new BenchResult
        {
            Options = options,
            Elapsed = Stopwatch.GetElapsedTime(start, end),
            SendElapsed = Stopwatch.GetElapsedTime(Math.Max(start, stats.FirstSent), Math.Min(end, deadline)),
            Sent = stats.SentInTime,
            NotKeptAlive = stats.NotKeptAlive,
            Timeline = stats.Timeline(end, partial: true),
            Completed = stats.Completed,
            BytesSent = stats.BytesSent,
            BytesReceived = stats.BytesReceived,
            Latency = stats.Latency,
            Errors = new Dictionary<string, long>(stats.Errors),
            ConnectAllTime = run.AllConnected.Task.IsCompletedSuccessfully ? Stopwatch.GetElapsedTime(connectStart, run.AllConnectedAt) : null,
            ClientCpu = clientEnd.CpuTime - clientStart.CpuTime,
            Server = serverBefore is { } before
                ? new ServerSamples { BeforeConnecting = before, IdleStart = idleStart, AllConnected = allConnected, MeasureStart = serverStart!.Value, MeasureEnd = serverEnd!.Value }
                : null,
        };
    }

    private readonly record struct Measure(Stats Stats, ProcessSample ClientStart, ProcessSample? ServerStart, long Start);

    private static Measure BeginMeasuring(Run run)
    {
        ProcessSample clientStart = ProcessSample.Current();
        ProcessSample? serverStart = run.Options.ServerPid is int pid ? ProcessSample.Read(pid) : null;
        return new Measure(run.BeginMeasuring(), clientStart, serverStart, Stopwatch.GetTimestamp());
    }

    private static void Validate(BenchOptions options)
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }
        Require(options.Connections is >= 1 and <= 100_000, $"connections must be 1 to 100,000, not {options.Connections}");
        Require(options.Duration > TimeSpan.Zero, "the duration must be positive");
        Require(options.Requests is null or >= 1, "the request count must be at least 1");
        Require(options.MessageBytes is >= 1 and <= 64 * 1024 * 1024, $"the message size must be 1 byte to 64 MiB, not {options.MessageBytes}");
        Require(options.KeepAlive >= 1, "the requests per connection (KeepAlive) must be at least 1");
        Require(options.Pipeline is >= 1 and <= 1024, "the pipeline depth must be 1 to 1024");
        Require(options.ConnectConcurrency >= 1, "the connect concurrency must be at least 1");
        Require(options.HandshakeTimeout > TimeSpan.Zero, "the handshake timeout must be positive");
        Require(options.Timeout > TimeSpan.Zero, "the timeout must be positive");
        Require(options.Rate is null or (> 0 and <= 10_000_000), $"the rate must be above 0 and at most 10,000,000 requests per second, not {options.Rate}");
        Require(options.Rate is null || options.Pipeline == 1, "a rate sends one request at a time per connection: Pipeline must be 1");
        Require(options.Rate is null || options.Interval == TimeSpan.Zero, "Rate and Interval both pace the load: give one of them");
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Waits for <paramref name="task"/> (bounded by the run), reporting progress about once a second; while measuring,
    /// once each whole second of the timeline, as soon as it is over. Returns the seconds reported.
    /// </summary>
    private static async Task<int> WatchAsync(Run run, string phase, Task task, Action<BenchProgress>? progress, Stats? stats = null)
    {
        long begin = stats?.Start ?? Stopwatch.GetTimestamp();
        int reported = 0;
        while (!task.IsCompleted && !run.Token.IsCancellationRequested)
        {
            long now = Stopwatch.GetTimestamp();
            long left = run.StopTimestamp - now;
            if (left <= 0)
            {
                break;
            }
            long toNextSecond = Stopwatch.Frequency - ((now - begin) % Stopwatch.Frequency) + (Stopwatch.Frequency / 1000);
            TimeSpan wait = TimeSpan.FromSeconds((double)Math.Min(left, toNextSecond) / Stopwatch.Frequency);
            await task.WaitAsync(wait, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (progress is null)
            {
                continue;
            }
            Stats current = stats ?? run.Stats;
            TimeSpan elapsed = Stopwatch.GetElapsedTime(begin);
            if (stats is null)
            {
                progress(new BenchProgress(phase, elapsed, current.Completed, current.ErrorCount));
                continue;
            }
            foreach (BenchSecond second in stats.Timeline(Stopwatch.GetTimestamp(), partial: false).Skip(reported))
            {
                progress(new BenchProgress(phase, elapsed, current.Completed, current.ErrorCount, second));
                reported++;
            }
        }
        return reported;
    }
}
