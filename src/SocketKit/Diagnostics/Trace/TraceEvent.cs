namespace SocketKit.Diagnostics.Trace;

/// <summary>One thing the trace relay saw: a connection, a message decoded, a close, a failure.</summary>
/// <param name="Time">When, in UTC.</param>
/// <param name="Connection">The relayed connection's number, from 1.</param>
/// <param name="Text">What happened, in words; a hex dump follows on lines of its own.</param>
public sealed record TraceEvent(DateTime Time, int Connection, string Text);
