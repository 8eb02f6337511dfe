using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Settings;

namespace SocketKit.Applications.Echo;

/// <summary>
/// The tutorial's echo client, with blocking sockets: connect, sendall, then read until the whole echo has
/// come back. (The reference reads once; TCP may deliver the echo in several pieces.)
/// </summary>
public static class EchoClient
{
    /// <summary>Sends <paramref name="message"/> and returns the echo.</summary>
    /// <exception cref="NetworkException">The connection failed, timed out, or the server closed before echoing everything.</exception>
    public static async Task<byte[]> EchoAsync(string host, int port, byte[] message, ClientOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClientOptions();
        logger ??= NullLogger.Instance;
        (Socket socket, Stream stream) = await ClientStreams.ConnectAsync(host, port, options, cancellationToken, logger);
        await using Stream _ = stream; // It owns the socket.
        string remote = EndPoints.Format(socket.RemoteEndPoint!);
        Log.Connecting(logger, 1, remote);
        // Blocking calls, as in the tutorial. A blocking call does not watch a token: closing the socket under it is
        // what stops it, on Ctrl+C or when the whole exchange has taken the timeout (not each call: a server that
        // trickles its echo byte by byte would otherwise take as long as it likes).
        using var exchange = new CancellationTokenSource(options.Timeout);
        await using CancellationTokenRegistration interrupt = cancellationToken.Register(socket.Dispose);
        await using CancellationTokenRegistration expire = exchange.Token.Register(socket.Dispose);
        int received = 0;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Connected and sent: a silent server is said as one, with what was sent and how long it waited.
        NetworkException NoEcho() => new(SocketErrorKind.TimedOut, "echo from", remote, received == 0
            ? $"connected to {remote} and sent {message.Length} bytes; no echo came in {Durations.Format(options.Timeout)}"
            : $"connected to {remote} and sent {message.Length} bytes; {received} of them came back in {Durations.Format(options.Timeout)}, then nothing")
        {
            Progress = new ExchangeProgress(message.Length, received, System.Diagnostics.Stopwatch.GetElapsedTime(started)),
        };
        try
        {
            // Send while reading: an echo larger than the socket buffers (a Unix socket holds ~200 KB) would
            // otherwise stop the server's writes, then its reads, then ours, and both sides would wait for ever.
            Task sending = Task.Factory.StartNew(() => stream.Write(message), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Log.Sending(logger, 1, message.Length);
            if (logger.IsEnabled(LogLevel.Trace))
            {
                Log.SendingBytes(logger, 1, PythonBytes.Repr(message, App.ContentPreview.MaxBytes));
            }
            var echo = new byte[message.Length];
            while (received < echo.Length)
            {
                int n = stream.Read(echo, received, echo.Length - received);
                if (n == 0 && exchange.IsCancellationRequested)
                {
                    throw NoEcho();
                }
                if (n == 0 && received == 0 && ClientStreams.Refused(stream, "echo from", remote) is { } refused)
                {
                    throw refused;
                }
                if (n == 0)
                {
                    throw new NetworkException(SocketErrorKind.ConnectionReset, "receive", remote,
                        $"the server closed the connection after {message.Length} bytes: {remote} took them and closed after echoing {received}")
                    {
                        Progress = new ExchangeProgress(message.Length, received, System.Diagnostics.Stopwatch.GetElapsedTime(started)),
                    };
                }
                Log.Received(logger, 1, n);
                if (logger.IsEnabled(LogLevel.Trace))
                {
                    Log.ReceivedBytes(logger, 1, PythonBytes.Repr(echo.AsSpan(received, n), App.ContentPreview.MaxBytes));
                }
                received += n;
            }
            await sending;
            Log.Closing(logger, 1, remote, echo.AsSpan().SequenceEqual(message) ? "echo complete" : "echo received, but it differs from what was sent");
            return echo;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            Log.Closing(logger, 1, remote, "interrupted");
            throw new OperationCanceledException("interrupted", ex, cancellationToken);
        }
        catch (Exception ex) when (exchange.IsCancellationRequested && ex is IOException or ObjectDisposedException or SocketException)
        {
            throw NoEcho();
        }
        // Every read and write goes through the stream, which reports a socket's failure as an IOException around it.
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
        {
            throw NoEcho();
        }
        catch (IOException ex)
        {
            throw ClientStreams.Translate(ex, "echo from", remote, stream);
        }
    }
}
