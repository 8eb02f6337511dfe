using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Metrics;
using SocketKit.Transport;
using SocketKit.Transport.Connections;

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
    private readonly ConnectionHandle? _handle;
    // A request whose handler is at work (awaiting, or on a blocking worker): its answer comes back through the handle.
    private bool _pending;
    private int _pendingSeq; // Tells a late answer (its request timed out) from the current one's.
    private AppAction? _pendingAction;

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
        _handle = connection?.Connection;
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
                    if (Respond(next.Request, output))
                    {
                        return NextStep.Receive; // Its handler is at work: what follows waits, unconsumed.
                    }
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
    public ConnectionPhase Phase => _pending ? ConnectionPhase.Handling : _conversation.State switch
    {
        ConversationState.Header or ConversationState.Answering => ConnectionPhase.Request,
        ConversationState.Content => ConnectionPhase.Content,
        _ => ConnectionPhase.Idle, // Idle, and Done or Error: nothing more will be read.
    };

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
    {
        if (_pending)
        {
            // The client went away while its handler was at work: the connection's closing cancels the handler's token.
            _pending = false;
            return NextStep.CloseAfterSending;
        }
        if (_conversation.ReceiveEndOfStream(unconsumed.Length) is { } truncated)
        {
            LogProtocolError(truncated);
        }
        return NextStep.CloseAfterSending;
    }

    /// <inheritdoc />
    public void OnHandlerTimeout(IBufferWriter<byte> output)
    {
        if (!_pending)
        {
            return;
        }
        _pending = false;
        _pendingSeq++; // Its answer, should it come, is dropped.
        string route = _pendingAction!.Route;
        _metrics.HandlerFailed(ServerPort, MetricName(_pendingAction), "timeout");
        Log.ActionTimedOut(_logger, ConnectionId, _connection?.Remote ?? "-", route);
        RespondAndEnd(output, AppResponse.Result($"Error: the {route} did not answer in time."));
    }

    /// <summary>Answers one whole request without a socket: what the server would send back for it (waiting here for a handler that awaits).</summary>
    public static AppResponse Answer(AppRouter router, Message request, ConnectionInfo? connection = null, ProtocolLimits? limits = null) =>
        router.Handle(Parse(request, connection, limits));

    private static AppRequest Parse(Message request, ConnectionInfo? connection, ProtocolLimits? limits) =>
        request.Header.IsJson
            ? new AppRequest(request, connection, JsonContent.ParsePython(request.Content.Span, request.Header.ContentEncoding, limits))
            : new AppRequest(request, connection, null);

    /// <summary>Answers a request; true when its handler is still at work, and the answer will come through the connection's handle.</summary>
    private bool Respond(Message request, IBufferWriter<byte> output)
    {
        long startedAt = Stopwatch.GetTimestamp();
        LogRequest(request);
        AppAction? action = null;
        ValueTask<AppResponse> answer;
        try
        {
            AppRequest parsed = Parse(request, _connection, _conversation.Limits);
            action = _router.Route(parsed, out AppResponse? unrouted);
            answer = action is null ? new ValueTask<AppResponse>(unrouted!)
                : action.Invoke(parsed, action.IsInline || _handle is null ? CancellationToken.None : _handle.Closing);
        }
        catch (ProtocolException ex)
        {
            // Bad content in a whole request: say what was wrong; whether the conversation survives it is its own rule.
            LogProtocolError(ex);
            _conversation.RejectRequest(ex);
            WriteResponse(output, AppResponse.Result($"Error: {ex.Message}."));
            return false;
        }
        catch (Exception ex) when (action is not null)
        {
            Failed(output, action, ex);
            return false;
        }
        if (!answer.IsCompleted && _handle is null)
        {
            // No server to answer through later (a handler made by hand): wait here.
            Task<AppResponse> waited = answer.AsTask();
            ((IAsyncResult)waited).AsyncWaitHandle.WaitOne();
            answer = new ValueTask<AppResponse>(waited);
        }
        if (answer.IsCompletedSuccessfully)
        {
            Answered(output, answer.Result, action, startedAt);
            return false;
        }
        if (answer.IsCompleted)
        {
            try
            {
                answer.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                Failed(output, action!, ex);
            }
            return false;
        }
        _pending = true;
        _pendingAction = action;
        _ = AwaitAnswerAsync(answer, ++_pendingSeq, action!, startedAt);
        return true;
    }

    /// <summary>Waits off the connection's thread for a handler's answer, then hands it to that thread to write.</summary>
    private async Task AwaitAnswerAsync(ValueTask<AppResponse> answer, int seq, AppAction action, long startedAt)
    {
        AppResponse? response = null;
        Exception? failure = null;
        try
        {
            response = await answer.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        // False when the connection closed meanwhile (the client left, a timeout, the drain): nobody to answer.
        _handle!.Post(output =>
        {
            if (!_pending || seq != _pendingSeq)
            {
                return NextStep.Receive; // Timed out meanwhile: the client had its answer.
            }
            _pending = false;
            if (failure is not null)
            {
                Failed(output, action, failure);
                return NextStep.CloseAfterSending;
            }
            Answered(output, response!, action, startedAt);
            return _conversation.State is ConversationState.Done or ConversationState.Error ? NextStep.CloseAfterSending : NextStep.Receive;
        });
    }

    private void Answered(IBufferWriter<byte> output, AppResponse response, AppAction? action, long startedAt)
    {
        WriteResponse(output, response);
        _metrics.RequestAnswered(ServerPort, MetricName(action), startedAt);
    }

    /// <summary>
    /// A handler threw (at once or when awaited): logged once with its exception, counted, and answered in the protocol
    /// with no exception text (the reference would close without a word), after which the connection closes.
    /// </summary>
    private void Failed(IBufferWriter<byte> output, AppAction action, Exception failure)
    {
        _metrics.HandlerFailed(ServerPort, MetricName(action), "exception");
        Log.ActionFailed(_logger, ConnectionId, _connection?.Remote ?? "-", action.Route, failure);
        RespondAndEnd(output, AppResponse.Result($"Error: the {action.Route} failed on the server."));
    }

    /// <summary>The request's name in metrics: what it was routed by when mapped, else "_OTHER" (clients cannot grow the series).</summary>
    private static string MetricName(AppAction? action) => action?.MetricName ?? "_OTHER";

    private void RespondAndEnd(IBufferWriter<byte> output, AppResponse response)
    {
        LogResponse(response);
        _conversation.RespondAndEnd(output, response.ContentType, response.ContentEncoding, response.Content.Span);
    }

    private void WriteResponse(IBufferWriter<byte> output, AppResponse response)
    {
        LogResponse(response);
        _conversation.Respond(output, response.ContentType, response.ContentEncoding, response.Content.Span);
    }

    private void LogResponse(AppResponse response)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.ResponseSending(_logger, ConnectionId, ContentPreview.Describe(response.ContentType, response.ContentEncoding, response.Content.Span));
        }
    }

    private void LogRequest(Message request)
    {
        _connection?.Counts?.Request();
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
