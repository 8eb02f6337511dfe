using System.Diagnostics;
using SocketKit.Protocol;
using SocketKit.Transport.Errors;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);

    /// <summary>The kind a failure is counted under, in words (<see cref="BenchErrors"/>).</summary>
    private static string KindOf(Exception ex) => ex switch
    {
        SocketException socket => BenchErrors.Of(SocketErrorGuide.Classify(socket.SocketErrorCode)),
        NetworkException network => BenchErrors.Of(network.Kind),
        IOException { InnerException: SocketException socket } => BenchErrors.Of(SocketErrorGuide.Classify(socket.SocketErrorCode)),
        IOException => BenchErrors.TlsFailed,
        ProtocolException => BenchErrors.NotTheAppProtocol,
        BenchFailure failure => failure.Message,
        OperationCanceledException => BenchErrors.TimedOut, // The request's timer, not the run (see IsFailure).
        _ => ex.GetType().Name,
    };

    /// <summary>A failure of a request or its connection (not the run being stopped): count it and drop the connection.</summary>
    private static bool IsFailure(Exception ex, Run run) =>
        !run.Token.IsCancellationRequested && ex is SocketException or NetworkException or IOException or ProtocolException or BenchFailure or OperationCanceledException;

    private static async Task<BenchConnection?> ConnectAsync(Run run, bool first, RequestTimer timer)
    {
        if (first)
        {
            await run.ConnectSlots.WaitAsync(run.Token);
        }
        try
        {
            BenchConnection connection = await BenchConnection.OpenAsync(run.Options, run.HandshakeLogger(), timer.Start());
            if (first)
            {
                run.Connected();
            }
            return connection;
        }
        catch (Exception ex) when (IsFailure(ex, run))
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

    /// <summary>
    /// In an open loop, takes the connection's next due time and waits for it, returning it and the moment the
    /// latency counts from (<see cref="Pacer.WaitAsync"/>); (0, 0) in a closed loop; null when the schedule has passed
    /// the end of the run.
    /// </summary>
    private static async Task<(long Due, long From)?> NextDueAsync(Run run, Pacer? pacer)
    {
        if (pacer is null)
        {
            return (0, 0);
        }
        long due = pacer.Next();
        if (due >= run.StopTimestamp)
        {
            return null;
        }
        return (due, await Pacer.WaitAsync(due, run.Token));
    }

    private static async Task EchoWorkerAsync(Run run)
    {
        await Task.Yield();
        byte[] payload = run.EchoPayload;
        byte[] received = new byte[Math.Min(payload.Length, 64 * 1024)];
        using var timer = new RequestTimer(run);
        Pacer? pacer = run.NewPacer();
        BenchConnection? socket = null;
        bool first = true;
        try
        {
            while (true)
            {
                if (socket is null)
                {
                    socket = await ConnectAsync(run, first, timer);
                    if (socket is null)
                    {
                        continue;
                    }
                    if (first)
                    {
                        first = false;
                        await run.GateAsync();
                        await SpreadAsync(run);
                    }
                }
                if (await NextDueAsync(run, pacer) is not { } due || run.Claim(pacer is null ? null : due.Due) is not { } stats)
                {
                    break;
                }
                long sentAt = pacer is null ? Stopwatch.GetTimestamp() : due.From;
                CancellationToken token = timer.Start();
                try
                {
                    // Send and receive at once: a large message comes back while it is still going out.
                    ValueTask sending = socket.SendAsync(payload, token);
                    int got = 0;
                    bool same = true;
                    while (got < payload.Length)
                    {
                        int n = await socket.ReceiveAsync(received.AsMemory(0, Math.Min(received.Length, payload.Length - got)), token);
                        if (n == 0)
                        {
                            throw new BenchFailure(BenchErrors.Closed);
                        }
                        if (run.Options.Verify && !received.AsSpan(0, n).SequenceEqual(payload.AsSpan(got, n)))
                        {
                            same = false;
                        }
                        got += n;
                    }
                    await sending;
                    stats.Answered(sentAt, payload.Length, got, same ? null : BenchErrors.WrongBytes);
                    if (run.Options.Interval > TimeSpan.Zero)
                    {
                        await Task.Delay(run.Options.Interval, run.Token);
                    }
                }
                catch (Exception ex) when (IsFailure(ex, run))
                {
                    stats.Error(KindOf(ex));
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
        using var timer = new RequestTimer(run);
        Pacer? pacer = run.NewPacer();
        BenchConnection? socket = null;
        bool first = true;
        int usedOnConnection = 0;
        long connectedAt = 0;
        (long Due, long From)? due = null;
        try
        {
            while (true)
            {
                // In an open loop a new connection is part of its request: wait for the due time first, so the
                // connect counts in the latency as it does for one-shot requests in a closed loop.
                if (socket is null && !first && due is null && (due = await NextDueAsync(run, pacer)) is null)
                {
                    break;
                }
                if (socket is null)
                {
                    connectedAt = Stopwatch.GetTimestamp();
                    socket = await ConnectAsync(run, first, timer);
                    if (socket is null)
                    {
                        due = null; // In an open loop the failed connect was that request.
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
                if (due is null && (due = await NextDueAsync(run, pacer)) is null)
                {
                    break;
                }
                if (run.Claim(pacer is null ? null : due.Value.Due) is not { } stats)
                {
                    break;
                }
                int batch = 1;
                while (batch < options.Pipeline && usedOnConnection + batch < options.KeepAlive && run.Claim() is not null)
                {
                    batch++;
                }
                long start = pacer is not null ? due.Value.From : oneShot ? connectedAt : Stopwatch.GetTimestamp();
                due = null;
                CancellationToken token = timer.Start();
                try
                {
                    Array.Fill(sentAt, start, 0, batch);
                    reader.Sent(batch, keepAlive: !oneShot);
                    await socket.SendAsync(run.RequestBatch.AsMemory(0, batch * run.RequestBytes), token);
                    bool closing = false;
                    for (int i = 0; i < batch; i++)
                    {
                        (int received, string? wrong, bool keptAlive) = await reader.ReadAsync(socket, run, token);
                        stats.Answered(sentAt[i], i == 0 ? batch * run.RequestBytes : 0, received, wrong);
                        if (reader.ServerCloses)
                        {
                            // The server closes after this answer: as asked (one-shot), or keep-alive not granted, when
                            // the rest of the batch is lost with it.
                            if (!oneShot && !keptAlive && wrong is null)
                            {
                                stats.NotKept();
                            }
                            for (int lost = 0; lost < reader.InFlight; lost++)
                            {
                                stats.Error(BenchErrors.Closed);
                            }
                            closing = true;
                            break;
                        }
                    }
                    usedOnConnection += batch;
                    if (closing || usedOnConnection >= options.KeepAlive)
                    {
                        socket.Dispose();
                        socket = null;
                    }
                }
                catch (Exception ex) when (IsFailure(ex, run))
                {
                    stats.Error(KindOf(ex));
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

    /// <summary>
    /// One connection's request timer: a token that is cancelled by the run's end, or <see cref="BenchOptions.Timeout"/>
    /// after <see cref="Start"/>; reused from request to request, renewed only after it fired.
    /// </summary>
    private sealed class RequestTimer(Run run) : IDisposable
    {
        private CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(run.Token);

        public CancellationToken Start()
        {
            if (!_source.TryReset())
            {
                _source.Dispose();
                _source = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
            }
            _source.CancelAfter(run.Options.Timeout);
            return _source.Token;
        }

        public void Dispose() => _source.Dispose();
    }
}
