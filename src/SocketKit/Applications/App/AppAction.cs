namespace SocketKit.Applications.App;

/// <summary>
/// One handler as it was mapped, and how it runs: inline on the connection's thread (a synchronous handler: the
/// fastest, for work that neither waits nor blocks), awaited (an async handler: the connection's thread is free while
/// it waits), or on a thread of its own (<see cref="BlockingWorkers"/>: for work that must block).
/// </summary>
internal sealed class AppAction
{
    private readonly Func<AppRequest, AppResponse>? _inline;
    private readonly Func<AppRequest, CancellationToken, ValueTask<AppResponse>>? _async;
    private readonly Func<AppRequest, CancellationToken, AppResponse>? _blocking;

    private AppAction(string route, string metricName, Func<AppRequest, AppResponse>? inline, Func<AppRequest, CancellationToken, ValueTask<AppResponse>>? async,
        Func<AppRequest, CancellationToken, AppResponse>? blocking)
    {
        (Route, MetricName) = (route, metricName);
        (_inline, _async, _blocking) = (inline, async, blocking); // One of the three: the factories below say which.
    }

    /// <summary>Its name in metrics: the action or content type it was mapped for ("_OTHER" for the fallback).</summary>
    public string MetricName { get; }

    /// <summary>What it answers, for logs and error answers: "handler of action 'search'", "handler of content type 'binary/x'".</summary>
    public string Route { get; }

    public static AppAction Inline(string route, string metricName, Func<AppRequest, AppResponse> handler) =>
        new(route, metricName, handler ?? throw new ArgumentNullException(nameof(handler)), null, null);

    public static AppAction Awaited(string route, string metricName, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler) =>
        new(route, metricName, null, handler ?? throw new ArgumentNullException(nameof(handler)), null);

    public static AppAction Blocking(string route, string metricName, Func<AppRequest, CancellationToken, AppResponse> handler) =>
        new(route, metricName, null, null, handler ?? throw new ArgumentNullException(nameof(handler)));

    /// <summary>
    /// Starts the handler on <paramref name="request"/>. An inline handler's answer comes back completed, with nothing
    /// allocated; the others may complete later, on another thread. A synchronous throw is thrown here.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancel">Cancelled when the client goes away, the handler's time is up, or the server's drain ends.</param>
    public ValueTask<AppResponse> Invoke(AppRequest request, CancellationToken cancel)
    {
        if (_inline is not null)
        {
            return new ValueTask<AppResponse>(_inline(request));
        }
        if (_async is not null)
        {
            return _async(request, cancel);
        }
        return new ValueTask<AppResponse>(BlockingWorkers.Shared.Run(_blocking!, request, cancel));
    }

    /// <summary>True for a handler that answers on the calling thread, with no token to make.</summary>
    public bool IsInline => _inline is not null;
}
