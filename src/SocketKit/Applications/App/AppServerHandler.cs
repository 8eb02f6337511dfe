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
/// The application server's side of one connection: feeds the bytes to the connection's
/// <see cref="ServerConversation"/>, routes each request it yields to the <see cref="AppRouter"/>, and hands the
/// answer back to the conversation to write. The conversation's rules (keep-alive, one answer to a protocol error,
/// nothing read once it is over) are the conversation's; what is logged and counted is this handler's.
/// </summary>
public sealed class AppServerHandler : IConnectionHandler
{
    private readonly AppRouter _router;
    private readonly ConnectionInfo? _connection;
    private readonly ILogger _logger;
    private readonly ServerConversation _conversation;
    private readonly SocketKitMetrics _metrics;

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
        _conversation = new ServerConversation(limits);
        _metrics = metrics ?? connection?.Metrics ?? SocketKitMetrics.Shared;
    }

    private int ServerPort => _connection?.ServerPort ?? 0;

    private long ConnectionId => _connection?.Id ?? 0;

    /// <inheritdoc />
    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        while (true)
        {
            ConversationEvent next = _conversation.Receive(ref data);
            switch (next.Kind)
            {
                case ConversationEventKind.Request:
                    Respond(next.Request, output);
                    break;
                case ConversationEventKind.ProtocolError:
                    // The reference closes without a word; we say what was wrong (the conversation then closes).
                    LogProtocolError(next.Error!);
                    WriteResponse(output, AppResponse.Result($"Error: {next.Error!.Message}."));
                    break;
                case ConversationEventKind.Finished:
                    return NextStep.CloseAfterSending;
                default:
                    return NextStep.Receive;
            }
        }
    }

    /// <inheritdoc />
    public ConnectionPhase Phase => _conversation.State switch
    {
        ConversationState.Header or ConversationState.Answering => ConnectionPhase.Request,
        ConversationState.Content => ConnectionPhase.Content,
        _ => ConnectionPhase.Idle, // Idle, and Done or Error: nothing more will be read.
    };

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
    {
        if (_conversation.ReceiveEndOfStream(unconsumed.Length) is { } truncated)
        {
            LogProtocolError(truncated);
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
            response = Answer(_router, request, _connection, _conversation.Limits, out metricName);
        }
        catch (ProtocolException ex)
        {
            // Bad content in a whole request: say what was wrong; whether the conversation survives it is its own rule.
            LogProtocolError(ex);
            _conversation.RejectRequest(ex);
            response = AppResponse.Result($"Error: {ex.Message}.");
        }
        WriteResponse(output, response);
        if (_conversation.State != ConversationState.Error)
        {
            // A request that ended the conversation is counted as a protocol error only.
            _metrics.RequestAnswered(ServerPort, metricName, startedAt);
        }
    }

    private void WriteResponse(IBufferWriter<byte> output, AppResponse response)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.ResponseSending(_logger, ConnectionId, ContentPreview.Describe(response.ContentType, response.ContentEncoding, response.Content.Span));
        }
        _conversation.Respond(output, response.ContentType, response.ContentEncoding, response.Content.Span);
    }

    private void LogRequest(Message request)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.RequestReceived(_logger, ConnectionId, ContentPreview.Describe(request.Header.ContentType, request.Header.ContentEncoding, request.Content.Span));
        }
    }

    private void LogProtocolError(ProtocolException ex)
    {
        _metrics.ProtocolError(ServerPort, ex.Error.ToString());
        Log.ProtocolError(_logger, ConnectionId, _connection?.Remote ?? "-", ex.Error.ToString(), ex.Message);
    }
}
