using SocketKit.Protocol;
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
    private readonly Dictionary<string, Func<AppRequest, AppResponse>> _actions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<AppRequest, AppResponse>> _contentTypes = new(StringComparer.Ordinal);
    private Func<AppRequest, AppResponse>? _otherContent;

    /// <summary>Handles JSON requests whose "action" is <paramref name="action"/>.</summary>
    public AppRouter MapAction(string action, Func<AppRequest, AppResponse> handler)
    {
        _actions[action] = handler;
        return this;
    }

    /// <summary>Handles non-JSON requests of one content type.</summary>
    public AppRouter MapContentType(string contentType, Func<AppRequest, AppResponse> handler)
    {
        _contentTypes[contentType] = handler;
        return this;
    }

    /// <summary>Handles non-JSON requests of any type not mapped with <see cref="MapContentType"/>.</summary>
    public AppRouter MapOtherContent(Func<AppRequest, AppResponse> handler)
    {
        _otherContent = handler;
        return this;
    }

    /// <summary>The actions mapped, for help and errors.</summary>
    public IReadOnlyCollection<string> Actions => _actions.Keys;

    /// <summary>Answers one request.</summary>
    public AppResponse Handle(AppRequest request)
    {
        if (request.Header.IsJson)
        {
            if (request.Parsed is not { Kind: PythonValueKind.Dict })
            {
                // The reference raises here and closes without a word; we say what is wrong.
                return AppResponse.Result($"Error: the request must be a JSON object, not {Describe(request.Parsed)}.");
            }
            // As the reference: action = request.get("action"), looked up only when it is a string.
            PythonValue action = request.ActionValue ?? PythonValue.None;
            if (action.AsString is { } name && _actions.TryGetValue(name, out Func<AppRequest, AppResponse>? handler))
            {
                return handler(request);
            }
            return AppResponse.Result($"Error: invalid action '{action}'.");
        }
        if (_contentTypes.TryGetValue(request.Header.ContentType, out Func<AppRequest, AppResponse>? byType))
        {
            return byType(request);
        }
        return _otherContent is not null
            ? _otherContent(request)
            : AppResponse.Result($"Error: content type '{request.Header.ContentType}' is not served here.");
    }

    /// <summary>
    /// The request's name in metrics: its action or content type when mapped here, else "_OTHER", so that what
    /// clients send cannot grow the number of time series (as .NET's HTTP meters treat unknown methods).
    /// </summary>
    internal string MetricName(AppRequest request)
    {
        if (request.Header.IsJson)
        {
            return request.Action is { } action && _actions.ContainsKey(action) ? action : "_OTHER";
        }
        return _contentTypes.ContainsKey(request.Header.ContentType) ? request.Header.ContentType : "_OTHER";
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
