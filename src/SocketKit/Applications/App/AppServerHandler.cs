using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Metrics;
using SocketKit.Protocol;
using SocketKit.Protocol.Python;
using SocketKit.Transport;

namespace SocketKit.Applications.App;

/// <summary>
/// The application server's side of one connection: decodes requests, routes them, encodes responses.
/// Without "keep-alive" it follows the reference conversation exactly (one response, then the server
/// closes); with it, it answers every request in order, pipelined or not.
/// </summary>
public sealed class AppServerHandler : IConnectionHandler
{
    private readonly AppRouter _router;
    private readonly ConnectionInfo? _connection;
    private readonly ILogger _logger;
    private readonly MessageDecoder _decoder;
    private readonly SocketKitMetrics _metrics;
    private bool _finished;

    /// <summary>Creates the handler for one connection.</summary>
    /// <param name="router">Who answers each request.</param>
    /// <param name="connection">The connection served; its id goes into every log line and its server port into every metric.</param>
    /// <param name="logger">Where events go. Default: nowhere.</param>
    /// <param name="limits">The decoder's limits. Default <see cref="ProtocolLimits.Default"/>.</param>
    /// <param name="metrics">Where requests and protocol errors are counted. Default: where the server that accepted the connection counts its own (<see cref="ServerOptions.Metrics"/>).</param>
    public AppServerHandler(AppRouter router, ConnectionInfo? connection = null, ILogger? logger = null, ProtocolLimits? limits = null,
        SocketKitMetrics? metrics = null)
    {
        _router = router;
        _connection = connection;
        _logger = logger ?? NullLogger.Instance;
        _decoder = new MessageDecoder(limits);
        _metrics = metrics ?? connection?.Metrics ?? SocketKitMetrics.Shared;
    }

    private int ServerPort => _connection?.ServerPort ?? 0;

    private long ConnectionId => _connection?.Id ?? 0;

    /// <inheritdoc />
    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        if (_finished)
        {
            data = data.Slice(data.End); // The reference reads nothing after its one request.
            return NextStep.CloseAfterSending;
        }
        try
        {
            while (_decoder.TryDecode(ref data, out Message request))
            {
                Respond(request, output);
                if (!request.Header.KeepAlive)
                {
                    _finished = true;
                    data = data.Slice(data.End);
                    return NextStep.CloseAfterSending;
                }
            }
            return NextStep.Receive;
        }
        catch (ProtocolException ex)
        {
            // The stream cannot be read further, but nothing has been sent since the last response, so the peer can
            // still read one: say what was wrong, then close (the reference closes without a word).
            LogProtocolError(ex);
            WriteResponse(output, AppResponse.Result($"Error: {ex.Message}."), keepAlive: false);
            _finished = true;
            data = data.Slice(data.End);
            return NextStep.CloseAfterSending;
        }
    }

    /// <inheritdoc />
    public bool IsBetweenRequests => _finished || _decoder.IsAtMessageBoundary;

    /// <inheritdoc />
    public bool IsReceivingContent => !_finished && _decoder.PendingHeader is not null;

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
    {
        if (!_finished)
        {
            try
            {
                _decoder.CompleteAtEndOfStream(unconsumed.Length);
            }
            catch (ProtocolException ex)
            {
                LogProtocolError(ex);
            }
        }
        return NextStep.CloseAfterSending;
    }

    /// <summary>Answers one whole request without a socket: what the server would send back for it.</summary>
    public static AppResponse Answer(AppRouter router, Message request, ConnectionInfo? connection = null, ProtocolLimits? limits = null) =>
        Answer(router, request, connection, limits, out _);

    private static AppResponse Answer(AppRouter router, Message request, ConnectionInfo? connection, ProtocolLimits? limits, out string metricName)
    {
        if (!request.Header.IsJson)
        {
            var binary = new AppRequest(request, connection, null);
            metricName = router.MetricName(binary);
            return router.Handle(binary);
        }
        var parsed = new AppRequest(request, connection, JsonContent.ParsePython(request.Content.Span, request.Header.ContentEncoding, limits));
        metricName = router.MetricName(parsed);
        return router.Handle(parsed);
    }

    private void Respond(Message request, IBufferWriter<byte> output)
    {
        long startedAt = Stopwatch.GetTimestamp();
        LogRequest(request);
        AppResponse response;
        string metricName = "_OTHER";
        try
        {
            response = Answer(_router, request, _connection, _decoder.Limits, out metricName);
        }
        catch (ProtocolException ex) when (ex.StreamInSync)
        {
            // The message was framed whole, so the stream is still in step: say what was wrong.
            LogProtocolError(ex);
            response = AppResponse.Result($"Error: {ex.Message}.");
        }
        WriteResponse(output, response, request.Header.KeepAlive);
        _metrics.RequestAnswered(ServerPort, metricName, startedAt);
    }

    private void WriteResponse(IBufferWriter<byte> output, AppResponse response, bool keepAlive)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.ResponseSending(_logger, ConnectionId, Describe(response.ContentType, response.ContentEncoding, response.Content.Span));
        }
        MessageEncoder.Write(output, new MessageHeader(response.ContentType, response.ContentEncoding, response.Content.Length) { KeepAlive = keepAlive },
            response.Content.Span);
    }

    private void LogRequest(Message request)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.RequestReceived(_logger, ConnectionId, Describe(request.Header.ContentType, request.Header.ContentEncoding, request.Content.Span));
        }
    }

    private void LogProtocolError(ProtocolException ex)
    {
        _metrics.ProtocolError(ServerPort, ex.Error.ToString());
        Log.ProtocolError(_logger, ConnectionId, _connection?.Remote ?? "-", ex.Error.ToString(), ex.Message);
    }

    /// <summary>JSON content as its text, anything else as a Python bytes literal with its type.</summary>
    internal static string Describe(string contentType, string encoding, ReadOnlySpan<byte> content)
    {
        if (contentType == ContentTypes.TextJson)
        {
            try
            {
                return TextEncodings.Decode(encoding, content);
            }
            catch (ProtocolException)
            {
                // Not text in its encoding: fall through to bytes.
            }
        }
        return $"{contentType} {PythonBytes.Repr(content, 64)}";
    }
}
