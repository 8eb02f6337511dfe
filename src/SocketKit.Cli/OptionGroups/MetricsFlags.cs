using SocketKit.Cli.Logging;
using SocketKit.Cli.Serving;

namespace SocketKit.Cli.OptionGroups;

/// <summary><c>--metrics</c> and <c>--metrics-interval</c> for the server commands: null without --metrics.</summary>
internal sealed class MetricsFlags : IOptionGroup<MetricsReporting?>
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    private readonly Option<bool> _enabled = new("--metrics")
    {
        Description = "Print a one-line summary of the server's metrics (connections, requests, bytes, errors, timeouts) to stderr every interval, and once more on exit.",
    };

    private readonly Option<TimeSpan> _interval = CommonOptions.Duration("--metrics-interval",
        "How often --metrics prints, from 100ms to 1h", TimeSpan.FromSeconds(5));

    public MetricsFlags()
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

    public MetricsReporting? Read(ParseResult result) =>
        result.GetValue(_enabled) ? new MetricsReporting(result.GetValue(_interval), result.GetValue(CommonOptions.LogFormatOption) == LogFormat.Json) : null;
}
