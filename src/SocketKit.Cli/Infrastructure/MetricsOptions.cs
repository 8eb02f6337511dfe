using System.CommandLine;
using System.Net;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary><c>--metrics</c> and <c>--metrics-interval</c> for the server commands.</summary>
internal sealed class MetricsOptions
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    private readonly Option<bool> _enabled = new("--metrics")
    {
        Description = "Print a one-line summary of the server's metrics (connections, requests, bytes, errors, timeouts) to stderr every interval, and once more on exit.",
    };

    private readonly Option<TimeSpan> _interval = CommonOptions.Duration("--metrics-interval",
        "How often --metrics prints, from 100ms to 1h", TimeSpan.FromSeconds(5));

    public MetricsOptions()
    {
        _interval.Validators.Add(result =>
        {
            TimeSpan value = result.GetValueOrDefault<TimeSpan>();
            if (value < Shortest || value > Longest)
            {
                result.AddError($"--metrics-interval must be from 100ms to 1h, not {Durations.Format(value)}.");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_enabled);
        command.Options.Add(_interval);
    }

    /// <summary>
    /// The reporter when --metrics was given: it listens, and prints every interval, from when
    /// <see cref="Reporter.Attach"/> gives it the server's port, just after the server starts (the listener picks
    /// the server's measurements out by that port); a connection accepted in between is seen only closing.
    /// </summary>
    public Reporter? Create(ParseResult result, CliContext context) =>
        result.GetValue(_enabled) ? new Reporter(context, result.GetValue(_interval), result.GetValue(CommonOptions.LogFormatOption) == LogFormat.Json) : null;

    internal sealed class Reporter(CliContext context, TimeSpan interval, bool json) : IAsyncDisposable
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
            using var timer = new PeriodicTimer(interval);
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

        private string Format(MetricsSummary summary) => json ? summary.JsonLine(TimeProvider.System.GetUtcNow()) : summary.Line();

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
}
