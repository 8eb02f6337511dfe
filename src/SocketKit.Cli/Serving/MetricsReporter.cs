namespace SocketKit.Cli.Serving;

/// <summary>
/// Prints the server's metrics summary every interval, from when <see cref="Attach"/> gives it the server's port, just
/// after the server starts (the listener picks the server's measurements out by that port; a connection accepted in
/// between is seen only closing), and once more when disposed.
/// </summary>
internal sealed class MetricsReporter(CliContext context, MetricsReporting reporting) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private MetricsSummary? _summary;
    private Task _printing = Task.CompletedTask;

    public void Attach(EndPoint listening)
    {
        _summary = new MetricsSummary(listening is IPEndPoint ip ? ip.Port : 0);
        _printing = PrintAsync(_summary);
    }

    private async Task PrintAsync(MetricsSummary summary)
    {
        using var timer = new PeriodicTimer(reporting.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                context.WriteEvent(Format(summary));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Format(MetricsSummary summary) => reporting.Json ? summary.JsonLine(TimeProvider.System.GetUtcNow()) : summary.Line();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _printing;
        if (_summary is not null)
        {
            context.WriteEvent(Format(_summary));
            _summary.Dispose();
        }
        _stop.Dispose();
    }
}
