using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Applications.App;

/// <summary>
/// A client of the application protocol: connect, send a request, await its response. Several requests
/// go on one connection when they carry "keep-alive" and the server grants it; against a server that
/// closes after each response (the reference), use one connection per request.
/// </summary>
/// <remarks>
/// Its bytes take the connection core every client and server shares: a <see cref="ClientChannel"/>, with TLS the
/// same <see cref="TlsLayer"/> over a <see cref="TlsPump"/> a server's connections use, here in the client role. Why
/// not a <see cref="Transport.Clients.ClientLoop"/>: a loop is a thread with its own selector, made to carry many
/// connections; one connection awaited by its caller needs none, and .NET's asynchronous socket calls keep the
/// connect (every address of a name, its timeout and its errors' words), the cancellation and the timeouts as they
/// are. So the client awaits the socket itself and passes every byte through the channel: wire bytes between the
/// socket and the channel, plaintext between the channel and the conversation.
/// </remarks>
public sealed partial class AppClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ClientChannel _channel; // Plain, or TLS through the shared layer.
    private readonly byte[] _wire = new byte[16 * 1024]; // What one socket read brings: plaintext, or TLS records.
    private readonly ClientOptions _options;
    private readonly ILogger _logger;
    private readonly ClientConversation _conversation; // The protocol's rules: answers in order, keep-alive, the sticky error.
    private readonly ArrayBufferWriter<byte> _output = new();
    private ReadOnlyMemory<byte> _unread;
    private string _closeReason = "client done";
    private bool _closedByServer;
    private long _sentBytes;
    private long _receivedBytes;
    private long _sentAt; // When the last request began to go out: its timing and, should it go unanswered, how long it waited.
    private long _firstByteAt;

    private AppClient(ClientChannel channel, ClientOptions options, ILogger logger, ProtocolLimits? limits)
    {
        _channel = channel;
        _socket = channel.Socket;
        _options = options;
        _logger = logger;
        _conversation = new ClientConversation(limits);
        Remote = EndPoints.Format(_socket.RemoteEndPoint!);
    }

    /// <summary>The server's address.</summary>
    public string Remote { get; }

    /// <summary>This end of the connection: the address and port the server (or a load balancer's PROXY header) names as the client.</summary>
    public System.Net.EndPoint LocalEndPoint => _socket.LocalEndPoint!;

    /// <summary>How long connecting took, name resolution included (zero for a client over an attached socket).</summary>
    public TimeSpan ConnectTime { get; private init; }

    /// <summary>How long the TLS handshake took; null over plain TCP.</summary>
    public TimeSpan? TlsTime { get; private set; }

    /// <summary>Of the last <see cref="SendAsync"/>: from starting to send the request to the first byte of the response.</summary>
    public TimeSpan FirstByteTime { get; private set; }

    /// <summary>Of the last <see cref="SendAsync"/>: from starting to send the request to its whole response.</summary>
    public TimeSpan ExchangeTime { get; private set; }

    /// <summary>
    /// True once the server has closed its side, or said it closes (it answered without keep-alive, or answered the
    /// request that asked none): no further request can be answered on this connection.
    /// </summary>
    public bool ClosedByServer => _closedByServer || _conversation.State == ClientConversationState.Done;

    /// <summary>Connects to the server.</summary>
    /// <exception cref="NetworkException">The name does not resolve, or the connection is refused or times out.</exception>
    public static async Task<AppClient> ConnectAsync(string host, int port, ClientOptions? options = null, ILogger? logger = null,
        ProtocolLimits? limits = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClientOptions();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        Socket socket = await Listeners.ConnectAsync(host, port, options.ConnectTimeout, cancellationToken);
        TimeSpan connect = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        ClientChannel channel;
        try
        {
            channel = new ClientChannel(socket, options.Tls is null ? null : TlsPump.ForClient(options.Tls, host, witness: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new AppClient(channel, options, logger ?? NullLogger.Instance, limits) { ConnectTime = connect };
        if (channel.Tls is { } tls)
        {
            long handshake = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await client.HandshakeAsync(options.HandshakeTimeout, cancellationToken);
            }
            catch
            {
                channel.Dispose();
                throw;
            }
            client.TlsTime = System.Diagnostics.Stopwatch.GetElapsedTime(handshake);
            tls.LogEstablished(client._logger, client.Remote);
        }
        Log.Connecting(client._logger, 1, client.Remote);
        return client;
    }

    /// <summary>
    /// A client over a socket already connected by the caller (for instance one made in another network namespace,
    /// or through a proxy). The client owns the socket from then on and closes it when disposed.
    /// </summary>
    public static AppClient Attach(Socket connected, ClientOptions? options = null, ILogger? logger = null, ProtocolLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(connected);
        var client = new AppClient(new ClientChannel(connected, tls: null), options ?? new ClientOptions(), logger ?? NullLogger.Instance, limits);
        Log.Connecting(client._logger, 1, client.Remote);
        return client;
    }

    /// <summary>Connects, sends one request, returns its response and closes: the reference conversation.</summary>
    public static async Task<Message> RequestAsync(string host, int port, Message request, ClientOptions? options = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        await using AppClient client = await ConnectAsync(host, port, options, logger, cancellationToken: cancellationToken);
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>Sends one request and waits for its response, within the client's timeout.</summary>
    /// <exception cref="NetworkException">
    /// The connection failed, the response did not come in time, or the server closed the connection before a byte of it
    /// (kind <see cref="SocketErrorKind.ConnectionReset"/>); after connecting, with <see cref="NetworkException.Progress"/>.
    /// </exception>
    /// <exception cref="ProtocolException">The server's bytes broke the protocol, or it closed partway through a response.</exception>
    public Task<Message> SendAsync(Message request, CancellationToken cancellationToken = default) =>
        ExchangeAsync(async token =>
        {
            EnsureCanSend();
            _output.ResetWrittenCount();
            _conversation.Send(_output, request);
            LogSending(request);
            LogFrame(sending: true, _output.WrittenSpan);
            _sentAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _firstByteAt = 0;
            await SendWireAsync(_output.WrittenMemory, token);
            _sentBytes += _output.WrittenCount;
            Message response = await ReceiveAsync(token);
            long done = System.Diagnostics.Stopwatch.GetTimestamp();
            FirstByteTime = System.Diagnostics.Stopwatch.GetElapsedTime(_sentAt, _firstByteAt == 0 ? done : _firstByteAt);
            ExchangeTime = System.Diagnostics.Stopwatch.GetElapsedTime(_sentAt, done);
            LogReceived(response);
            return response;
        }, cancellationToken);

    /// <summary>Runs one exchange within the client's timeout; its failures are said as <see cref="NetworkException"/>s.</summary>
    private async Task<T> ExchangeAsync<T>(Func<CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(_options.Timeout);
        try
        {
            return await exchange(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _closeReason = "no answer";
            // Connected and sent: the server took the request and said nothing, which is not the network's ETIMEDOUT.
            throw _sentBytes == 0
                ? NetworkException.Timeout("waiting for a response from", Remote, _options.Timeout)
                : new NetworkException(SocketErrorKind.TimedOut, "waiting for a response from", Remote,
                    $"connected to {Remote} and sent {_sentBytes} bytes; no answer came in {Durations.Format(_options.Timeout)}")
                { Progress = Progress() };
        }
        catch (OperationCanceledException)
        {
            _closeReason = "interrupted";
            throw;
        }
        catch (SocketException ex)
        {
            throw WithProgress(Refused((Exception?)LastWords() ?? ex) ?? NetworkException.From(ex, "request to", Remote));
        }
        catch (IOException ex)
        {
            // A TLS record the pump could not read: corrupt, cut by the server's FIN, or an alert.
            throw WithProgress(Refused(ex) ?? NetworkException.FromReadOrWrite(ex, "request to", Remote));
        }
    }

    /// <summary>How far this connection's exchange has got.</summary>
    private ExchangeProgress Progress() =>
        new(_sentBytes, _receivedBytes, _sentAt == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(_sentAt));

    private Exception WithProgress(Exception failure) =>
        failure is NetworkException network && _sentBytes > 0
            ? new NetworkException(network.Kind, network.Operation, network.EndPoint, network.Message, network.InnerException) { Progress = Progress(), TlsRefusal = network.TlsRefusal }
            : failure;

    /// <summary>
    /// Before a request goes out: a connection the server has closed, or said it closes, answers no more (said as the
    /// close it is, without writing to it); a conversation the server broke stays broken.
    /// </summary>
    private void EnsureCanSend()
    {
        if (_closedByServer || _conversation.State == ClientConversationState.Done)
        {
            _closeReason = "closed by the server";
            throw new NetworkException(SocketErrorKind.ConnectionReset, "request to", Remote,
                $"the server closed the connection after {_sentBytes} bytes: {Remote} answered without keep-alive, so it takes no further request")
            { Progress = Progress() };
        }
        if (_conversation.Failure is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Reads until the conversation hands out the next answer; the rules of what may come are the conversation's.</summary>
    private async Task<Message> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var data = new ReadOnlySequence<byte>(_unread);
            ClientConversationEvent next = _conversation.Receive(ref data);
            if (next.Kind == ClientConversationEventKind.Answer)
            {
                LogFrame(sending: false, _unread.Span[..(_unread.Length - (int)data.Length)]);
            }
            _unread = data.ToArray();
            switch (next.Kind)
            {
                case ClientConversationEventKind.Answer:
                    return next.Answer;
                case ClientConversationEventKind.ProtocolError:
                    throw next.Error!;
            }
            if (_closedByServer)
            {
                throw Closed(_conversation.ReceiveEndOfStream(_unread.Length));
            }
            await ReceiveWireAsync(cancellationToken);
        }
    }

    /// <summary>The server closed while an answer was awaited: in the middle of it (a protocol error), or before it (said as a close).</summary>
    private Exception Closed(ProtocolException? ending)
    {
        _closeReason = "closed by the server";
        if (ending is { Error: not ProtocolError.UnansweredRequest })
        {
            return ending;
        }
        // With mutual TLS a server that refused this client's certificate closes without a word: say why.
        if (Refused(failure: null) is { } refused)
        {
            return WithProgress(refused);
        }
        // A FIN, not a reset, but to the user the same: the connection ended before any answer.
        return new NetworkException(SocketErrorKind.ConnectionReset, "request to", Remote,
            $"the server closed the connection after {_sentBytes} bytes: {Remote} took the request and closed without answering")
        { Progress = Progress() };
    }

    /// <summary>
    /// The line the reference client (app-client.py) prints for a response: for text/json, decoded and read as Python
    /// does, <c>Got result: {result}</c> with the result as Python's str() writes it (<c>None</c> when there is none);
    /// for other content, <c>Got response: b'...'</c>. (For JSON content that is not an object, on which the reference
    /// client fails, <c>Got response: </c> and its Python repr.)
    /// </summary>
    /// <exception cref="ProtocolException">The JSON content cannot be decoded in its encoding or is not JSON as Python reads it.</exception>
    public static string Describe(Message response)
    {
        if (!response.Header.IsJson)
        {
            return $"Got response: {PythonBytes.Repr(response.Content.Span)}";
        }
        PythonValue content = JsonContent.ParsePython(response.Content.Span, response.Header.ContentEncoding);
        return content.Kind == PythonValueKind.Dict
            ? $"Got result: {content.Get("result") ?? PythonValue.None}"
            : $"Got response: {PythonText.Repr(content)}";
    }

    /// <summary>At Trace, a whole frame in the tour's notation: the 2-byte protoheader, the JSON header, the content, as Python prints bytes.</summary>
    private void LogFrame(bool sending, ReadOnlySpan<byte> frame)
    {
        if (!_logger.IsEnabled(LogLevel.Trace) || frame.Length < 2)
        {
            return;
        }
        int headerLength = Math.Min((frame[0] << 8) | frame[1], frame.Length - 2);
        string proto = PythonBytes.Repr(frame[..2]), header = PythonBytes.Repr(frame.Slice(2, headerLength), ContentPreview.MaxBytes), content = PythonBytes.Repr(frame[(2 + headerLength)..], ContentPreview.MaxBytes);
        if (sending)
        {
            Log.SendingFrame(_logger, 1, proto, header, content);
        }
        else
        {
            Log.ReceivedFrame(_logger, 1, proto, header, content);
        }
    }

    // Describing a message decodes its content: only when the line will be written.
    private void LogSending(Message request)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.RequestSending(_logger, 1, ContentPreview.Describe(request.Header.ContentType, request.Header.ContentEncoding, request.Content.Span));
        }
    }

    private void LogReceived(Message response)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.ResponseReceived(_logger, 1, ContentPreview.Describe(response.Header.ContentType, response.Header.ContentEncoding, response.Content.Span));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Log.Closing(_logger, 1, Remote, _closeReason);
        _channel.Dispose(); // The socket, and the TLS layer's pump.
        return ValueTask.CompletedTask;
    }
}
