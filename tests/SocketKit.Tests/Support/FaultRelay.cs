namespace SocketKit.Tests.Support;

/// <summary>What a <see cref="FaultRelay"/> does to the bytes flowing one way.</summary>
public sealed record Faults
{
    /// <summary>No faults: bytes pass as they come.</summary>
    public static Faults None { get; } = new();

    /// <summary>Forward in writes of at most this many bytes, each its own TCP segment (NoDelay). Null: as read.</summary>
    public int? SegmentBytes { get; init; }

    /// <summary>Wait this long before each write.</summary>
    public TimeSpan DelayPerWrite { get; init; }

    /// <summary>After this many bytes have passed, stop forwarding for <see cref="StallFor"/>, once.</summary>
    public long? StallAfterBytes { get; init; }

    /// <summary>How long the stall lasts.</summary>
    public TimeSpan StallFor { get; init; }

    /// <summary>After this many bytes have passed, reset both connections (RST, not FIN).</summary>
    public long? ResetAfterBytes { get; init; }
}

/// <summary>
/// A TCP relay on 127.0.0.1 port 0 that forwards every connection to a target and injects faults on the way:
/// tiny segments, delays, a stall mid-stream, a reset after N bytes. What the tutorial's "Communication
/// Breakdown" says a real network does, on demand and repeatably.
/// </summary>
public sealed class FaultRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly EndPoint _target;
    private readonly Faults _toServer;
    private readonly Faults _toClient;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _stalls;
    private int _resets;
    private long _writes;

    private FaultRelay(EndPoint target, Faults toServer, Faults toClient)
    {
        _target = target;
        _toServer = toServer;
        _toClient = toClient;
        _listener = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 128);
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the target.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Port => EndPoint.Port;

    /// <summary>How many stalls have happened, over all connections and both directions.</summary>
    public int Stalls => Volatile.Read(ref _stalls);

    /// <summary>How many writes the relay has made, over all connections and both directions.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>How many connections the relay has reset.</summary>
    public int Resets => Volatile.Read(ref _resets);

    public static FaultRelay Start(EndPoint target, Faults? toServer = null, Faults? toClient = null) =>
        new(target, toServer ?? Faults.None, toClient ?? Faults.None);

    private Task AcceptAsync() => Listeners.AcceptUntilStoppedAsync(_listener, client =>
    {
        lock (_connections)
        {
            _connections.Add(RelayAsync(client));
        }
    }, _stopping.Token);

    private async Task RelayAsync(Socket client)
    {
        using (client)
        {
            using Socket server = Listeners.CreateStreamSocket(_target);
            Listeners.SetNoDelay(client);
            Listeners.SetNoDelay(server);
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                connectTimeout.CancelAfter(RawClient.Timeout);
                await server.ConnectAsync(_target, connectTimeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                Reset(client);
                return;
            }
            var pair = new[] { client, server };
            await Task.WhenAll(PumpAsync(client, server, _toServer, pair), PumpAsync(server, client, _toClient, pair));
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Faults faults, Socket[] pair)
    {
        byte[] buffer = new byte[64 * 1024];
        long passed = 0;
        bool stalled = false;
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                int offset = 0;
                while (offset < n)
                {
                    int size = Math.Min(n - offset, faults.SegmentBytes ?? int.MaxValue);
                    // Cut at the byte where a stall or a reset is due, so it lands exactly there.
                    if (!stalled && faults.StallAfterBytes is long stallAt && stallAt >= passed)
                    {
                        size = (int)Math.Min(size, stallAt - passed);
                    }
                    if (faults.ResetAfterBytes is long resetAt)
                    {
                        size = (int)Math.Min(size, resetAt - passed);
                    }
                    if (faults.ResetAfterBytes is long due && passed >= due)
                    {
                        Interlocked.Increment(ref _resets);
                        Array.ForEach(pair, Reset);
                        return;
                    }
                    if (!stalled && faults.StallAfterBytes is long stallDue && passed >= stallDue)
                    {
                        stalled = true;
                        Interlocked.Increment(ref _stalls);
                        await Task.Delay(faults.StallFor, _stopping.Token);
                        continue;
                    }
                    if (faults.DelayPerWrite > TimeSpan.Zero)
                    {
                        await Task.Delay(faults.DelayPerWrite, _stopping.Token);
                    }
                    await to.SendAsync(buffer.AsMemory(offset, size), SocketFlags.None, _stopping.Token);
                    Interlocked.Increment(ref _writes);
                    offset += size;
                    passed += size;
                }
                if (faults.ResetAfterBytes is long after && passed >= after)
                {
                    Interlocked.Increment(ref _resets);
                    Array.ForEach(pair, Reset);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side went away or the relay stops: pass the abruptness on.
            Array.ForEach(pair, Reset);
        }
    }

    /// <summary>Linger 0 then close: the kernel sends RST instead of FIN.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting.WaitAsync(RawClient.Timeout);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections).WaitAsync(RawClient.Timeout);
        _stopping.Dispose();
    }
}
