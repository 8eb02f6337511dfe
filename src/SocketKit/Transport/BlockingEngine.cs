using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// Blocking sockets and a thread per connection, as the tutorial's echo server is written: recv waits
/// for data, sendall waits until every byte is out. Simple to follow; a thread's stack for every client.
/// </summary>
internal sealed class BlockingEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;
    private readonly ConcurrentDictionary<long, Socket> _open = new();
    private readonly CountdownEvent _running = new(1);

    public BlockingEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    public override Task RunAsync(CancellationToken stopping)
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

    private void AcceptLoop(CancellationToken stopping)
    {
        // Accept blocks; closing the listener is what wakes it when the server stops.
        using CancellationTokenRegistration stop = stopping.Register(() =>
        {
            Listener.Dispose();
            foreach (Socket socket in _open.Values)
            {
                try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
            }
        });
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
            socket.NoDelay = true;
            ConnectionInfo connection = Describe(socket);
            _open[connection.Id] = socket;
            _running.AddCount();
            new Thread(() => Serve(socket, connection)) { IsBackground = true, Name = $"socketkit-conn-{connection.Id}" }.Start();
            if (AcceptedAll)
            {
                Listener.Dispose();
                break;
            }
        }
    }

    private void Serve(Socket socket, ConnectionInfo connection)
    {
        OnAccepted(connection);
        string reason = "peer closed";
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
        try
        {
            IConnectionHandler handler = HandlerFactory(connection);
            var input = new ReceiveBuffer();
            var output = new ArrayBufferWriter<byte>();
            while (true)
            {
                int n = socket.Receive(buffer);
                NextStep step;
                if (n == 0)
                {
                    step = input.Finish(handler, output);
                    SendAll(socket, connection, output);
                    break;
                }
                LogReceived(connection, buffer.AsSpan(0, n));
                step = input.Feed(handler, buffer.AsMemory(0, n), output);
                SendAll(socket, connection, output);
                if (step == NextStep.CloseAfterSending)
                {
                    reason = "done";
                    break;
                }
            }
        }
        catch (SocketException ex)
        {
            reason = ex.SocketErrorCode.ToString();
            LogFailure(connection, ex);
        }
        catch (ObjectDisposedException)
        {
            reason = "server stopped";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _open.TryRemove(connection.Id, out _);
            CloseGracefully(socket);
            OnClosed(connection, reason);
            _running.Signal();
        }
    }

    private void SendAll(Socket socket, ConnectionInfo connection, ArrayBufferWriter<byte> output)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }
        LogSending(connection, output.WrittenSpan);
        ReadOnlySpan<byte> pending = output.WrittenSpan;
        while (!pending.IsEmpty)
        {
            pending = pending[socket.Send(pending)..];
        }
        output.ResetWrittenCount();
    }
}
