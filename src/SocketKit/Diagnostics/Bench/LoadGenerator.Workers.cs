using System.Diagnostics;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);

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
}
