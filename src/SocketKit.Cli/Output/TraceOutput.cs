using SocketKit.Diagnostics.Trace;

namespace SocketKit.Cli.Output;

/// <summary>
/// A trace event as a line a person follows: the time to the microsecond, the connection, what happened (a hex dump
/// on the lines after). trace prints each as it comes; it has no --json, as its events are prose and dumps.
/// </summary>
internal sealed class TraceText : IResultRenderer<TraceEvent>
{
    public string Render(TraceEvent result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.Time:HH:mm:ss.ffffff} conn {result.Connection} {result.Text}\n");
}
