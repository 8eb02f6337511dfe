using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using SocketKit.Applications.App;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Diagnostics.Bench;

/// <summary>
/// A closed-loop load generator for the echo and application protocols: each connection sends a request
/// (or a pipelined batch), waits for the answers, records each latency, and goes on, until the duration
/// or the request count is reached. It uses plain sockets and the protocol core, so it measures servers
/// of any make, SocketKit's or not.
/// </summary>
public static partial class LoadGenerator
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);

    /// <summary>Runs the load; returns what it measured. Never runs longer than warm-up, idle hold and duration (plus connecting, itself bounded by the duration).</summary>
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
        Task[] workers;
        if (EchoLoops.Serve(options))
        {
            workers = EchoLoops.Start(run);
        }
        else
        {
            workers = new Task[options.Connections];
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i] = options.Kind == BenchKind.Echo ? EchoWorkerAsync(run) : AppWorkerAsync(run);
            }
        }
        Task all = Task.WhenAll(workers);

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
        await WatchAsync(run, "measuring", all, progress, stats);
        long end = Math.Min(Stopwatch.GetTimestamp(), deadline);
        ProcessSample clientEnd = ProcessSample.Current();
        ProcessSample? serverEnd = options.ServerPid is int endPid ? ProcessSample.Read(endPid) : null;
        run.Stop();
        await all.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        return new BenchResult
        {
            Options = options,
            Elapsed = Stopwatch.GetElapsedTime(start, end),
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
        Require(options.KeepAlive >= 1, "requests per connection (--keepalive) must be at least 1");
        Require(options.Pipeline is >= 1 and <= 1024, "the pipeline depth must be 1 to 1024");
        Require(options.ConnectConcurrency >= 1, "the connect concurrency must be at least 1");
        Require(options.HandshakeTimeout > TimeSpan.Zero, "the handshake timeout must be positive");
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Waits for <paramref name="task"/> (bounded by the run), reporting progress about once a second.</summary>
    private static async Task WatchAsync(Run run, string phase, Task task, Action<BenchProgress>? progress, Stats? stats = null)
    {
        long begin = Stopwatch.GetTimestamp();
        while (!task.IsCompleted && !run.Token.IsCancellationRequested)
        {
            long left = run.StopTimestamp - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                break;
            }
            TimeSpan wait = TimeSpan.FromSeconds(Math.Min(1.0, (double)left / Stopwatch.Frequency));
            await task.WaitAsync(wait, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Stats current = stats ?? run.Stats;
            progress?.Invoke(new BenchProgress(phase, Stopwatch.GetElapsedTime(begin), current.Completed, current.ErrorCount));
        }
    }

    private static string KindOf(SocketException ex) => SocketErrorGuide.Classify(ex.SocketErrorCode).ToString();

    /// <summary>The kind a failure of a connection is counted under: the socket error's, or TLS's.</summary>
    private static string KindOf(Exception ex) => ex switch
    {
        SocketException socket => KindOf(socket),
        NetworkException network => network.Kind.ToString(),
        IOException { InnerException: SocketException socket } => KindOf(socket),
        IOException => "TlsFailed",
        _ => ex.GetType().Name,
    };

    /// <summary>A failure of the connection itself (not of the run being stopped): count it and drop the connection.</summary>
    private static bool IsConnectionFailure(Exception ex, Run run) =>
        !run.Token.IsCancellationRequested && ex is SocketException or NetworkException or IOException;

    private static async Task<BenchConnection?> ConnectAsync(Run run, bool first)
    {
        if (first)
        {
            await run.ConnectSlots.WaitAsync(run.Token);
        }
        try
        {
            BenchConnection connection = await BenchConnection.OpenAsync(run.Options, run.Token);
            if (first)
            {
                run.Connected();
            }
            return connection;
        }
        catch (Exception ex) when (IsConnectionFailure(ex, run))
        {
            run.ConnectError(KindOf(ex));
            await Task.Delay(RetryPause, run.Token);
            return null;
        }
        finally
        {
            if (first)
            {
                run.ConnectSlots.Release();
            }
        }
    }

    /// <summary>With a paced load, starts each connection at a random point of the interval, so they do not all send at once.</summary>
    private static Task SpreadAsync(Run run) => run.Options.Interval > TimeSpan.Zero
        ? Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(run.Options.Interval.Ticks)), run.Token)
        : Task.CompletedTask;

    private static async Task EchoWorkerAsync(Run run)
    {
        await Task.Yield();
        byte[] payload = run.EchoPayload;
        byte[] received = new byte[Math.Min(payload.Length, 64 * 1024)];
        BenchConnection? socket = null;
        bool first = true;
        try
        {
            while (true)
            {
                if (socket is null)
                {
                    socket = await ConnectAsync(run, first);
                    if (socket is null)
                    {
                        continue;
                    }
                    first = false;
                    await run.GateAsync();
                    await SpreadAsync(run);
                }
                if (run.Claim() is not { } stats)
                {
                    break;
                }
                long sentAt = Stopwatch.GetTimestamp();
                try
                {
                    // Send and receive at once: a large message comes back while it is still going out.
                    ValueTask sending = socket.SendAsync(payload, run.Token);
                    int got = 0;
                    bool same = true;
                    while (got < payload.Length)
                    {
                        int n = await socket.ReceiveAsync(received.AsMemory(0, Math.Min(received.Length, payload.Length - got)), run.Token);
                        if (n == 0)
                        {
                            throw new BenchFailure("closed early");
                        }
                        if (run.Options.Verify && !received.AsSpan(0, n).SequenceEqual(payload.AsSpan(got, n)))
                        {
                            same = false;
                        }
                        got += n;
                    }
                    await sending;
                    stats.Answered(sentAt, payload.Length, got, same ? null : "wrong bytes");
                    if (run.Options.Interval > TimeSpan.Zero)
                    {
                        await Task.Delay(run.Options.Interval, run.Token);
                    }
                }
                catch (Exception ex) when (IsConnectionFailure(ex, run))
                {
                    stats.Error(KindOf(ex));
                    socket.Dispose();
                    socket = null;
                }
                catch (BenchFailure ex)
                {
                    stats.Error(ex.Message);
                    socket.Dispose();
                    socket = null;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException or NetworkException && run.Token.IsCancellationRequested)
        {
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static async Task AppWorkerAsync(Run run)
    {
        await Task.Yield();
        BenchOptions options = run.Options;
        bool oneShot = options.KeepAlive == 1;
        var reader = new ResponseReader(options.Verify);
        long[] sentAt = new long[options.Pipeline];
        BenchConnection? socket = null;
        bool first = true;
        int usedOnConnection = 0;
        long connectedAt = 0;
        try
        {
            while (true)
            {
                if (socket is null)
                {
                    connectedAt = Stopwatch.GetTimestamp();
                    socket = await ConnectAsync(run, first);
                    if (socket is null)
                    {
                        continue;
                    }
                    if (first)
                    {
                        first = false;
                        await run.GateAsync();
                        await SpreadAsync(run);
                        connectedAt = Stopwatch.GetTimestamp();
                    }
                    usedOnConnection = 0;
                    reader.Reset();
                }
                if (run.Claim() is not { } stats)
                {
                    break;
                }
                int batch = 1;
                while (batch < options.Pipeline && usedOnConnection + batch < options.KeepAlive && run.Claim() is not null)
                {
                    batch++;
                }
                try
                {
                    long now = Stopwatch.GetTimestamp();
                    Array.Fill(sentAt, oneShot ? connectedAt : now, 0, batch);
                    await socket.SendAsync(run.RequestBatch.AsMemory(0, batch * run.RequestBytes), run.Token);
                    for (int i = 0; i < batch; i++)
                    {
                        (int received, string? wrong) = await reader.ReadAsync(socket, run, run.Token);
                        stats.Answered(sentAt[i], i == 0 ? batch * run.RequestBytes : 0, received, wrong);
                    }
                    usedOnConnection += batch;
                    if (usedOnConnection >= options.KeepAlive)
                    {
                        socket?.Dispose();
                        socket = null;
                    }
                }
                catch (Exception ex) when (IsConnectionFailure(ex, run))
                {
                    stats.Error(KindOf(ex));
                    socket?.Dispose();
                    socket = null;
                }
                catch (BenchFailure ex)
                {
                    stats.Error(ex.Message);
                    socket?.Dispose();
                    socket = null;
                }
                catch (ProtocolException ex)
                {
                    stats.Error($"protocol error ({ex.Error})");
                    socket?.Dispose();
                    socket = null;
                }
                if (options.Interval > TimeSpan.Zero)
                {
                    await Task.Delay(options.Interval, run.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException or NetworkException && run.Token.IsCancellationRequested)
        {
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>A failure the load generator itself detects.</summary>
    private sealed class BenchFailure(string kind) : Exception(kind);

    /// <summary>Reads whole responses off one connection, and with verification keeps each one's exact bytes.</summary>
    private sealed class ResponseReader(bool verify)
    {
        private readonly ArrayBufferWriter<byte>? _raw = verify ? new ArrayBufferWriter<byte>(256) : null;
        private MessageDecoder _decoder = new();
        private byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public void Reset()
        {
            _decoder = new MessageDecoder();
            _start = _end = 0;
            _raw?.ResetWrittenCount();
        }

        /// <summary>Returns the bytes received while reading, and what was wrong with the response (null if right or not verified).</summary>
        public async ValueTask<(int Received, string? Wrong)> ReadAsync(BenchConnection socket, Run run, CancellationToken cancellationToken)
        {
            int received = 0;
            while (true)
            {
                if (_end > _start)
                {
                    var data = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                    bool whole = _decoder.TryDecode(ref data, out Message response);
                    int consumed = _end - _start - (int)data.Length;
                    _raw?.Write(_buffer.AsSpan(_start, consumed));
                    _start += consumed;
                    if (whole)
                    {
                        string? wrong = null;
                        if (_raw is not null)
                        {
                            byte[] expected = response.Header.KeepAlive ? run.ExpectedKeepAlive : run.ExpectedOneShot;
                            wrong = _raw.WrittenSpan.SequenceEqual(expected) ? null : "wrong bytes";
                            _raw.ResetWrittenCount();
                        }
                        return (received, wrong);
                    }
                }
                if (_start == _end)
                {
                    _start = _end = 0;
                }
                else if (_end == _buffer.Length)
                {
                    if (_start > 0)
                    {
                        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                        _end -= _start;
                        _start = 0;
                    }
                    else
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }
                }
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
                if (n == 0)
                {
                    throw new BenchFailure("closed early");
                }
                _end += n;
                received += n;
            }
        }
    }

    /// <summary>Counters of one phase, shared by every connection.</summary>
    private sealed class Stats
    {
        private long _completed;
        private long _bytesSent;
        private long _bytesReceived;

        public LatencyHistogram Latency { get; } = new();

        public ConcurrentDictionary<string, long> Errors { get; } = new();

        public long Completed => Interlocked.Read(ref _completed);

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        public long BytesReceived => Interlocked.Read(ref _bytesReceived);

        public long ErrorCount => Errors.Values.Sum();

        public void Answered(long sentAt, int sent, int received, string? wrong)
        {
            Interlocked.Add(ref _bytesSent, sent);
            Interlocked.Add(ref _bytesReceived, received);
            if (wrong is not null)
            {
                Error(wrong);
                return;
            }
            Latency.Record((long)((Stopwatch.GetTimestamp() - sentAt) * (1e9 / Stopwatch.Frequency)));
            Interlocked.Increment(ref _completed);
        }

        public void Error(string kind) => Errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }
}
