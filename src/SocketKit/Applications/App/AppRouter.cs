using SocketKit.Protocol.Python;

namespace SocketKit.Applications.App;

/// <summary>
/// Routes each request to a handler: JSON requests by their "action", other requests by content type.
/// What has no handler gets the reference's answers: "Error: invalid action '...'." for JSON (the action as
/// Python's str() writes it: 'None' when absent, '7', "['a', 'b']"), and the binary handler for other types
/// when one is mapped as the fallback.
/// </summary>
public sealed class AppRouter
{
    private readonly Dictionary<string, AppAction> _actions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AppAction> _contentTypes = new(StringComparer.Ordinal);
    private AppAction? _otherContent;

    /// <summary>Handles JSON requests whose "action" is <paramref name="action"/>, inline on the connection's thread: for work that neither waits nor blocks.</summary>
    public AppRouter MapAction(string action, Func<AppRequest, AppResponse> handler) =>
        Map(_actions, action, AppAction.Inline(ActionRoute(action), action, handler));

    /// <summary>
    /// Handles JSON requests whose "action" is <paramref name="action"/> with a handler that awaits (a database, a file,
    /// another service): the connection's thread serves others meanwhile. The token is cancelled when the client goes
    /// away, when the handler timeout runs out, and when a stopping server's drain ends.
    /// </summary>
    public AppRouter MapAction(string action, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler) =>
        Map(_actions, action, AppAction.Awaited(ActionRoute(action), action, handler));

    /// <summary>
    /// Handles JSON requests whose "action" is <paramref name="action"/> with a handler that blocks (a synchronous
    /// library call): it runs on a thread of its own, never on the connection's, which serves others meanwhile.
    /// </summary>
    public AppRouter MapBlockingAction(string action, Func<AppRequest, CancellationToken, AppResponse> handler) =>
        Map(_actions, action, AppAction.Blocking(ActionRoute(action), action, handler));

    /// <summary>Handles non-JSON requests of one content type, inline.</summary>
    public AppRouter MapContentType(string contentType, Func<AppRequest, AppResponse> handler) =>
        Map(_contentTypes, contentType, AppAction.Inline(ContentTypeRoute(contentType), contentType, handler));

    /// <summary>Handles non-JSON requests of one content type with a handler that awaits (see the matching <see cref="MapAction(string, Func{AppRequest, CancellationToken, ValueTask{AppResponse}})"/>).</summary>
    public AppRouter MapContentType(string contentType, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler) =>
        Map(_contentTypes, contentType, AppAction.Awaited(ContentTypeRoute(contentType), contentType, handler));

    /// <summary>Handles non-JSON requests of one content type with a handler that blocks, on a thread of its own.</summary>
    public AppRouter MapBlockingContentType(string contentType, Func<AppRequest, CancellationToken, AppResponse> handler) =>
        Map(_contentTypes, contentType, AppAction.Blocking(ContentTypeRoute(contentType), contentType, handler));

    /// <summary>Handles non-JSON requests of any type not mapped with <see cref="MapContentType(string, Func{AppRequest, AppResponse})"/>.</summary>
    public AppRouter MapOtherContent(Func<AppRequest, AppResponse> handler)
    {
        _otherContent = AppAction.Inline("handler of other content", "_OTHER", handler);
        return this;
    }

    private AppRouter Map(Dictionary<string, AppAction> table, string key, AppAction handler)
    {
        ArgumentNullException.ThrowIfNull(key);
        table[key] = handler;
        return this;
    }

    private static string ActionRoute(string action) => $"handler of action '{action}'";

    private static string ContentTypeRoute(string contentType) => $"handler of content type '{contentType}'";

    /// <summary>The actions mapped, for help and errors.</summary>
    public IReadOnlyCollection<string> Actions => _actions.Keys;

    /// <summary>Answers one request, waiting here for a handler that awaits or blocks.</summary>
    public AppResponse Handle(AppRequest request)
    {
        ValueTask<AppResponse> answer = HandleAsync(request);
        return answer.IsCompletedSuccessfully ? answer.Result : answer.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Answers one request: completed at once for a synchronous handler, later for one that awaits or blocks.</summary>
    public ValueTask<AppResponse> HandleAsync(AppRequest request, CancellationToken cancel = default) =>
        Route(request, out AppResponse? immediate) is { } handler ? handler.Invoke(request, cancel) : new ValueTask<AppResponse>(immediate!);

    /// <summary>
    /// The handler for <paramref name="request"/>; null when it has none, with the reference's answer for that in
    /// <paramref name="unrouted"/>.
    /// </summary>
    internal AppAction? Route(AppRequest request, out AppResponse? unrouted)
    {
        unrouted = null;
        if (request.Header.IsJson)
        {
            if (request.Parsed is not { Kind: PythonValueKind.Dict })
            {
                // The reference raises here and closes without a word; we say what is wrong.
                unrouted = AppResponse.Result($"Error: the request must be a JSON object, not {Describe(request.Parsed)}.");
                return null;
            }
            // As the reference: action = request.get("action"), looked up only when it is a string.
            PythonValue action = request.ActionValue ?? PythonValue.None;
            if (action.AsString is { } name && _actions.TryGetValue(name, out AppAction? handler))
            {
                return handler;
            }
            unrouted = AppResponse.Result($"Error: invalid action '{action}'.");
            return null;
        }
        if (_contentTypes.TryGetValue(request.Header.ContentType, out AppAction? byType))
        {
            return byType;
        }
        if (_otherContent is null)
        {
            unrouted = AppResponse.Result($"Error: content type '{request.Header.ContentType}' is not served here.");
        }
        return _otherContent;
    }

    private static string Describe(PythonValue? json) => json?.Kind switch
    {
        PythonValueKind.List => "an array",
        PythonValueKind.Str => "a string",
        PythonValueKind.Int or PythonValueKind.Float => "a number",
        PythonValueKind.Bool => "a boolean",
        _ => "null",
    };
}
