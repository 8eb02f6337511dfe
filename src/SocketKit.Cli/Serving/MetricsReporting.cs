namespace SocketKit.Cli.Serving;

/// <summary>What --metrics asks for: a summary line every <paramref name="Interval"/>, as JSON with --log-format json.</summary>
internal sealed record MetricsReporting(TimeSpan Interval, bool Json);
