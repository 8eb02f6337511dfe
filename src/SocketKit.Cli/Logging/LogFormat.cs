namespace SocketKit.Cli.Logging;

/// <summary>How events are written to stderr (<c>--log-format</c>).</summary>
internal enum LogFormat
{
    /// <summary>One plain line per event, as the tutorial's programs print them.</summary>
    Plain,

    /// <summary>One JSON object per line.</summary>
    Json,
}
