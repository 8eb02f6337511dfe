using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketKit.Metrics;
using SocketKit.Transport;
using SocketKit.Transport.Errors;

namespace SocketKit.Hosting;

/// <summary>
/// One configured server run by the host: <see cref="StartAsync"/> binds every endpoint before it returns (so the host
/// reports started, and systemd hears READY=1, only once all are listening), <see cref="StopAsync"/> drains. Resolve it
/// by name as a keyed service to read its state and bound addresses.
/// </summary>
public sealed class SocketKitHostedServer : IHostedService
{
    private readonly SocketKitServerBuilder _builder;
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<SocketKitServerOptions> _options;
    private readonly HostOptions _hostOptions;
    private readonly SocketKitMetrics _metrics;
    private readonly SocketKitStartFailures _failures;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ServerGroup? _listeners;
    private CertificateFileWatcher? _certificateWatcher;
    private volatile SocketKitServerState _state = SocketKitServerState.NotStarted;

    internal SocketKitHostedServer(string name, SocketKitServerBuilder builder, IServiceProvider services, IOptionsMonitor<SocketKitServerOptions> options,
        IOptions<HostOptions> hostOptions, SocketKitStartFailures failures, SocketKitMetrics metrics, ILoggerFactory loggerFactory)
    {
        Name = name;
        _builder = builder;
        _services = services;
        _options = options;
        _hostOptions = hostOptions.Value;
        _metrics = metrics;
        _failures = failures;
        _logger = loggerFactory.CreateLogger($"SocketKit.Servers.{name}");
    }

    /// <summary>The server's name, as in <c>SocketKit:Servers:NAME</c>.</summary>
    public string Name { get; }

    /// <summary>Where the server is in its life.</summary>
    public SocketKitServerState State => _state;

    /// <summary>The bound addresses, one per configured endpoint, with the ports the system chose for port 0. Empty until started.</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints
    {
        get
        {
            lock (_gate)
            {
                return _listeners?.LocalEndPoints ?? [];
            }
        }
    }

    /// <summary>Connections open now, over every endpoint.</summary>
    public long ConnectionsOpen
    {
        get
        {
            lock (_gate)
            {
                return _listeners?.Servers.Sum(l => l.Counters.ConnectionsOpen) ?? 0;
            }
        }
    }

    /// <summary>Bytes received from peers so far, over every endpoint.</summary>
    public long BytesReceived
    {
        get
        {
            lock (_gate)
            {
                return _listeners?.Servers.Sum(l => l.Counters.BytesReceived) ?? 0;
            }
        }
    }

    /// <summary>Binds every endpoint and starts serving; if one cannot be bound, those already bound are closed and the error stands.</summary>
    /// <exception cref="NetworkException">An endpoint cannot be bound (in use, not this machine's, or privileged).</exception>
    /// <exception cref="OptionsValidationException">The settings are invalid (when the host did not validate them at start).</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        ServerPlan plan = ServerPlan.TryBuild(Name, _options.Get(Name), errors)
            ?? throw new OptionsValidationException(Name, typeof(SocketKitServerOptions), errors);
        ServerOptions template = plan.Template with
        {
            Metrics = _metrics,
            LogCloseCounts = true,
            Timeouts = plan.Template.Timeouts with { DrainTimeout = DrainWithinShutdown(plan.Template.Timeouts.DrainTimeout) },
        };
        cancellationToken.ThrowIfCancellationRequested();
        // The library's builder binds every endpoint (and its workers) or none: what fails to bind closes the rest.
        ServerGroup listeners;
        try
        {
            listeners = _builder.Start(plan.CreateBuilder(template).UseLogger(_logger), _services, plan.Protocol);
        }
        catch (NetworkException ex)
        {
            // Said in one line by RunSocketKitAsync; the trace only where the log level asks for it.
            _failures.Add($"{SocketKitServerOptions.SectionName}:{Name}:Endpoints: {ex.Message}", _logger.IsEnabled(LogLevel.Debug));
            HostingLog.BindFailed(_logger, Name, ex.Message, ex);
            throw;
        }
        lock (_gate)
        {
            _listeners = listeners;
            _certificateWatcher = template.Tls?.CertificateFiles is { } files ? new CertificateFileWatcher(files, _logger) : null;
        }
        _state = SocketKitServerState.Listening;
        return Task.CompletedTask;
    }

    /// <summary>Adds what is wrong with the server's settings to <paramref name="problems"/>, one line each naming its key.</summary>
    internal void Check(List<string> problems)
    {
        try
        {
            ServerPlan.TryBuild(Name, _options.Get(Name), problems);
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures); // The validator ran as the options were made, and said the same.
        }
    }

    /// <summary>
    /// Stops accepting and lets requests in flight finish, within the drain timeout (which never exceeds the host's
    /// shutdown timeout); completes when every connection is closed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_state != SocketKitServerState.Listening)
        {
            return;
        }
        _state = SocketKitServerState.Draining;
        try
        {
            await StopListenersAsync().WaitAsync(cancellationToken);
            _state = SocketKitServerState.Stopped;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            HostingLog.ShutdownTimedOut(_logger, Name, ConnectionsOpen);
        }
    }

    private Task StopListenersAsync()
    {
        lock (_gate)
        {
            _certificateWatcher?.Dispose();
            _certificateWatcher = null;
            return _listeners?.StopAsync() ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// The drain must end before the host stops waiting for it, else the host abandons connections the server could
    /// still have closed cleanly: leave a quarter of the shutdown timeout (at most two seconds) for closing, which on a
    /// busy machine can take a few hundred milliseconds after the drain's deadline (a tenth of a 3 s timeout was too little).
    /// </summary>
    private TimeSpan DrainWithinShutdown(TimeSpan drain)
    {
        TimeSpan shutdown = _hostOptions.ShutdownTimeout;
        if (shutdown == Timeout.InfiniteTimeSpan || shutdown <= TimeSpan.Zero)
        {
            return drain;
        }
        TimeSpan limit = shutdown - TimeSpan.FromTicks(Math.Min(2 * TimeSpan.TicksPerSecond, shutdown.Ticks / 4));
        if (drain <= limit)
        {
            return drain;
        }
        HostingLog.DrainShortened(_logger, Name, drain, limit, shutdown);
        return limit;
    }
}
