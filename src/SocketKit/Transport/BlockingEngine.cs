using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// Blocking sockets and a thread per connection, as the tutorial's echo server is written: recv waits
/// for data, sendall waits until every byte is out. Simple to follow; a thread's stack for every client.
/// The heartbeat and the drain wake a blocked thread by shutting its socket down.
/// </summary>
internal sealed class BlockingEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;
    // Sent in pieces so the heartbeat sees a slow reader's progress between them.
    private const int SendPiece = 64 * 1024;
    private readonly CountdownEvent _running = new(1);

    public BlockingEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    protected override Task RunCoreAsync(CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acceptThread = new Thread(() =>
        {
            try
            {
                AcceptLoop(stopping);
                _running.Signal();
                _running.Wait();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = "socketkit-accept" };
        acceptThread.Start();
        return done.Task;
    }

    // Accept blocks; closing the listener is what wakes it when the server stops.
    protected override void StopAccepting() => Listener.Dispose();

    private void AcceptLoop(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = Listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException && stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // The client gave up before we accepted it.
            }
            catch (SocketException ex) when (ExhaustionKind(ex) is { } kind)
            {
                // Out of descriptors: the threads go on serving what is held; accept again shortly, as connections close.
                AcceptPaused(kind);
                stopping.WaitHandle.WaitOne(AcceptPause);
                continue;
            }
            if (!Admit(socket))
            {
                continue;
            }
            Listeners.SetNoDelay(socket);
            if (Track(socket) is not { } connection)
            {
                continue;
            }
            connection.Wake = () => ShutdownBoth(socket);
            _running.AddCount();
            try
            {
                new Thread(() => Serve(socket, connection)) { IsBackground = true, Name = $"socketkit-conn-{connection.Info.Id}" }.Start();
            }
            catch (Exception ex) when (ExhaustionKind(ex) is { } kind)
            {
                // No thread for it: refuse this one as if over the limit, and pause as for descriptors.
                _running.Signal();
                Abandon(connection, socket);
                AcceptPaused(kind);
                stopping.WaitHandle.WaitOne(AcceptPause);
                continue;
            }
            if (AcceptedAll)
            {
                Listener.Dispose();
                break;
            }
        }
    }

    private void Serve(Socket socket, ServerConnection connection)
    {
        ConnectionInfo info = connection.Info;
        OnAccepted(info);
        ConnectionCloseReason reason = ConnectionCloseReason.PeerClosed;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
        try
        {
            IConnectionHandler handler = HandlerFactory(info);
            var input = new ReceiveBuffer();
            var output = new SendBuffer(Limits.MaxSendBufferBytes);
            while (true)
            {
                int n = socket.Receive(buffer);
                if (connection.AbortReason is { } aborted)
                {
                    reason = aborted;
                    break;
                }
                if (n == 0)
                {
                    input.Finish(handler, output);
                    SendAll(socket, connection, output);
                    break;
                }
                NextStep step = Deliver(connection, handler, input, buffer.AsMemory(0, n), output);
                SendAll(socket, connection, output);
                if (step == NextStep.CloseAfterSending)
                {
                    reason = ConnectionCloseReason.Done;
                    break;
                }
                if (CloseIfDrained(connection) || connection.AbortReason is not null)
                {
                    reason = connection.AbortReason!.Value;
                    break;
                }
            }
        }
        catch (SendBufferFullException)
        {
            reason = ConnectionCloseReason.SendBufferFull;
        }
        catch (SocketException ex)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.Failed;
            if (connection.AbortReason is null) LogFailure(info, ex);
        }
        catch (ObjectDisposedException)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.ServerStopping;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A handler's bug ends its own connection, never the server.
            reason = ConnectionCloseReason.Failed;
            Log.HandlerFailed(Logger, info.Id, info.Remote, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Closed(connection, reason);
            CloseGracefully(socket);
            _running.Signal();
        }
    }

    private void SendAll(Socket socket, ServerConnection connection, SendBuffer output)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }
        Counters.Buffered(output.WrittenCount);
        LogSending(connection.Info, output.WrittenSpan);
        connection.Clock.SendStarted();
        ReadOnlySpan<byte> pending = output.WrittenSpan;
        while (!pending.IsEmpty)
        {
            int sent = socket.Send(pending[..Math.Min(SendPiece, pending.Length)]);
            connection.Clock.Sent(sent);
            pending = pending[sent..];
        }
        output.Reset();
        connection.Clock.SendDone();
    }
}
