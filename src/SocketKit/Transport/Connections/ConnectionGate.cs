namespace SocketKit.Transport.Connections;

/// <summary>
/// The owner of a connection served by a thread that waits in receive (the blocking engine):
/// work posted to the connection runs on the thread pool, under this gate, which the serving thread also holds around
/// each of its own turns with the driver, so the driver is never used by two threads at once. A turn of posted work
/// sends what it wrote; when it ends the conversation it wakes the serving thread, and when it unpauses reading
/// (<see cref="ConnectionDriver.ReadPaused"/>) it lets the serving thread read again.
/// </summary>
internal sealed class ConnectionGate : IConnectionOwner
{
    // Sent in pieces so the heartbeat sees a slow reader's progress between them.
    private const int SendPiece = 64 * 1024;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _resume = new(0);
    private readonly ConnectionDriver _driver;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> _send;
    private readonly Action _ended;
    private readonly CancellationToken _token;
    private bool _closed; // Under the gate: the serving thread is done with the connection.

    /// <param name="driver">The connection's driver.</param>
    /// <param name="send">Sends one piece and says how many of its bytes went.</param>
    /// <param name="ended">Wakes the serving thread once posted work ended the conversation (its answers sent).</param>
    /// <param name="token">Cancelled when the connection is closed by the server.</param>
    public ConnectionGate(ConnectionDriver driver, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send, Action ended, CancellationToken token)
    {
        _driver = driver;
        _send = send;
        _ended = ended;
        _token = token;
    }

    public void Enter()
    {
        _gate.Wait();
        _driver.Tracked.BeginTurn();
    }

    public async Task EnterAsync(CancellationToken token)
    {
        await _gate.WaitAsync(token).ConfigureAwait(false);
        _driver.Tracked.BeginTurn();
    }

    public void Exit()
    {
        _driver.Tracked.EndTurn();
        _gate.Release();
    }

    /// <summary>Under the gate: the serving thread lets go of the connection; posted work that comes later is dropped.</summary>
    public void Close()
    {
        _closed = true;
        _resume.Release(); // A serving thread waiting to read again has nothing more to wait for.
    }

    /// <summary>Reading was paused for a handler at work: waits until posted work unpauses it (or the connection closes).</summary>
    public Task WaitToReadAsync(CancellationToken token) => _resume.WaitAsync(token);

    /// <summary>As <see cref="WaitToReadAsync"/>, blocking.</summary>
    public void WaitToRead() => _resume.Wait();

    /// <summary>Wakes a serving thread waiting to read again (the connection is being closed).</summary>
    public void ReleaseReader() => _resume.Release();

    public void Schedule(ConnectionHandle connection) =>
        ThreadPool.UnsafeQueueUserWorkItem(static gate => _ = gate.RunPostedAsync(), this, preferLocal: false);

    private async Task RunPostedAsync()
    {
        await EnterAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_closed || _driver.IsDone)
            {
                return;
            }
            bool paused = _driver.ReadPaused;
            _driver.RunPosted();
            await SendAllAsync(_driver, _send, _token).ConfigureAwait(false);
            if (_driver.IsDone)
            {
                if (_driver.SayGoodbye())
                {
                    await SendAllAsync(_driver, _send, _token).ConfigureAwait(false);
                }
                _ended();
            }
            else if (paused && !_driver.ReadPaused)
            {
                _resume.Release();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _driver.Fail(ex);
            _ended();
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Sends what the driver has pending, a piece at a time so the connection's clock sees the reader's progress;
    /// <paramref name="send"/> sends one piece and says how many bytes of it went.
    /// </summary>
    public static async Task SendAllAsync(ConnectionDriver driver, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send, CancellationToken token)
    {
        while (driver.HasPending)
        {
            ReadOnlyMemory<byte> pending = driver.Pending();
            driver.Sending();
            driver.Sent(await send(pending[..Math.Min(SendPiece, pending.Length)], token).ConfigureAwait(false));
        }
    }
}
