using SocketKit.Transport.Connections;
using SocketKit.Transport.Tls;

namespace SocketKit.Applications.App;

public sealed partial class AppClient
{
    // Plaintext the channel made from one socket read, appended to what the conversation has not taken yet.
    private static readonly System.Buffers.ReadOnlySpanAction<byte, AppClient> s_plaintext = static (bytes, client) => client.Take(bytes);

    /// <summary>
    /// Runs the TLS handshake over the socket, within <paramref name="timeout"/>: the pump's records go out, the
    /// server's come in, until the pump says it is done, well or not.
    /// </summary>
    /// <exception cref="NetworkException">The handshake failed (kind <see cref="SocketErrorKind.TlsFailed"/>), timed out, or the connection broke.</exception>
    private async Task HandshakeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            while (true)
            {
                await FlushWireAsync(timer.Token);
                if (!_channel.IsHandshaking)
                {
                    break;
                }
                int n = await _socket.ReceiveAsync(_wire, SocketFlags.None, timer.Token);
                if (_channel.ReceiveWire(_wire.AsMemory(0, n), this, s_plaintext) == ChannelRead.HandshakeFailed)
                {
                    await SendAlertAsync(timer.Token);
                    break;
                }
                if (n == 0)
                {
                    _closedByServer = true;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TlsStreams.ClientHandshakeTimedOut(Remote, timeout, answered: _channel.FirstReceived.Length > 0);
        }
        catch (SocketException ex)
        {
            throw NetworkException.From(ex, "TLS handshake with", Remote);
        }
        if (_channel.HandshakeFailure is not null)
        {
            throw _channel.Tls!.ClientHandshakeFailed(Remote, _channel.FirstReceived);
        }
    }

    /// <summary>The alert the pump wrote when its handshake failed goes to the server if it can: the failure is what is said.</summary>
    private async Task SendAlertAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushWireAsync(cancellationToken);
        }
        catch (SocketException)
        {
            // The server has gone already.
        }
    }

    /// <summary>Sends <paramref name="plaintext"/> through the channel (with TLS, as records) to the socket.</summary>
    private ValueTask SendWireAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        _channel.Write(plaintext);
        return FlushWireAsync(cancellationToken);
    }

    /// <summary>Sends what the channel has for the socket.</summary>
    private async ValueTask FlushWireAsync(CancellationToken cancellationToken)
    {
        while (_channel.NextWire() is { IsEmpty: false } next)
        {
            _channel.WireSent(await _socket.SendAsync(next, SocketFlags.None, cancellationToken));
        }
    }

    /// <summary>Reads the socket once and passes what came through the channel; its plaintext joins <see cref="_unread"/>.</summary>
    /// <exception cref="IOException">With TLS, a record could not be read (corrupt, cut by the server's FIN, or an alert).</exception>
    private async ValueTask ReceiveWireAsync(CancellationToken cancellationToken)
    {
        int n = await _socket.ReceiveAsync(_wire, SocketFlags.None, cancellationToken);
        if (_channel.ReceiveWire(_wire.AsMemory(0, n), this, s_plaintext) == ChannelRead.Ended)
        {
            _closedByServer = true; // Its FIN, or with TLS its close_notify.
        }
    }

    private void Take(ReadOnlySpan<byte> plaintext)
    {
        if (_firstByteAt == 0)
        {
            _firstByteAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        _receivedBytes += plaintext.Length;
        _unread = _unread.IsEmpty ? plaintext.ToArray() : (byte[])[.. _unread.Span, .. plaintext];
    }

    /// <summary>
    /// After the socket failed before any answer (the request's write met the server's reset, say): the records the
    /// server sent before it went are still queued on the socket. With TLS, read them through the channel, so that an
    /// alert (a mutual-TLS server's reason for refusing this client's certificate) is the server's own word rather than
    /// a guess from the handshake. Returns the failure the pump met reading them, or null.
    /// </summary>
    private IOException? LastWords()
    {
        if (_channel.Tls is null || _conversation.Answered > 0)
        {
            return null;
        }
        try
        {
            while (_socket.Available > 0) // Queued already: the reads below do not wait.
            {
                int n = _socket.Receive(_wire, SocketFlags.None);
                _channel.ReceiveWire(_wire.AsMemory(0, n), this, s_plaintext);
            }
        }
        catch (IOException alert)
        {
            return alert;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Nothing more to read.
        }
        return null;
    }

    /// <summary>
    /// With mutual TLS, the server's refusal of this client's certificate, when the connection ended (a reset, a close,
    /// or an alert: <paramref name="failure"/>) before any answer; null when that is not what happened. With TLS 1.3 the
    /// server judges the certificate after the client's side of the handshake is over, so this is where it shows.
    /// </summary>
    private NetworkException? Refused(Exception? failure)
    {
        if (_channel.Tls is not { } tls)
        {
            return null;
        }
        TlsProblem? refused = _conversation.Answered == 0 ? tls.ClientCertificateRefusal(failure)
            : failure is null ? null : TlsStreams.ServerAlert(failure);
        return refused is null ? null : NetworkException.Refused(refused, "request to", Remote, failure);
    }
}
