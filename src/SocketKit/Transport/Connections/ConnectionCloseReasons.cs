using SocketKit.Transport.Settings;
namespace SocketKit.Transport.Connections;

/// <summary>
/// The one table from a close reason to what the server says about it: the words of the "Closing connection N (...)"
/// log line, the <c>socketkit.timeout.kind</c> tag of the timeouts metric, and the <see cref="ServerCounters"/> count it
/// adds to. docs/OBSERVABILITY.md shows the same table, and a test holds the two together.
/// </summary>
public static class ConnectionCloseReasons
{
    /// <summary>Which of <see cref="ServerCounters"/>' close counts a reason adds to, besides the count of closed connections.</summary>
    internal enum Count
    {
        /// <summary>Only the count of connections closed.</summary>
        None,
        /// <summary><see cref="ServerCounters.ConnectionsTimedOut"/>.</summary>
        TimedOut,
        /// <summary><see cref="ServerCounters.ConnectionsCutOff"/>.</summary>
        CutOff,
        /// <summary><see cref="ServerCounters.ConnectionsForcedAtStop"/>.</summary>
        ForcedAtStop,
    }

    /// <summary>One reason's row.</summary>
    /// <param name="Phrase">The short words, alone when the server's options are not at hand.</param>
    /// <param name="TimeoutKind">The <c>socketkit.timeout.kind</c> tag, for a reason that is a timeout; null otherwise.</param>
    /// <param name="Counter">The close count it adds to.</param>
    /// <param name="Detail">What bound it broke, with the server's figures: the words after "phrase: " (null: none to give).</param>
    internal sealed record Entry(string Phrase, string? TimeoutKind, Count Counter, Func<ServerOptions, string?>? Detail = null);

    /// <summary>Every reason's row: a test checks that none is missing.</summary>
    internal static IReadOnlyDictionary<ConnectionCloseReason, Entry> Table { get; } = new Dictionary<ConnectionCloseReason, Entry>
    {
        [ConnectionCloseReason.PeerClosed] = new("peer closed", null, Count.None),
        [ConnectionCloseReason.Done] = new("done", null, Count.None),
        [ConnectionCloseReason.Failed] = new("failed", null, Count.None),
        [ConnectionCloseReason.HandshakeTimeout] = new("handshake timeout", "handshake", Count.TimedOut,
            o => o.Tls is not null ? $"no TLS handshake within {Durations.Format(o.Timeouts.HandshakeTimeout)}" : null),
        [ConnectionCloseReason.RequestTimeout] = new("request timeout", "request", Count.TimedOut,
            o => $"no whole request within {Durations.Format(o.Timeouts.RequestTimeout)}"),
        [ConnectionCloseReason.IdleTimeout] = new("idle timeout", "idle", Count.TimedOut,
            o => $"no request within {Durations.Format(o.Timeouts.IdleTimeout)}"),
        [ConnectionCloseReason.HandlerTimeout] = new("handler timeout", "handler", Count.TimedOut,
            o => $"no answer within {Durations.Format(o.Timeouts.HandlerTimeout)}"),
        [ConnectionCloseReason.SlowRequestContent] = new("slow request content", "min_request_rate", Count.TimedOut,
            o => $"the peer sent content slower than {o.Timeouts.MinRequestContentBytesPerSecond:0.##} bytes/s"),
        [ConnectionCloseReason.SlowReader] = new("slow reader", "min_response_rate", Count.CutOff,
            o => $"the peer read slower than {o.Timeouts.MinResponseBytesPerSecond:0.##} bytes/s"),
        [ConnectionCloseReason.SendBufferFull] = new("send buffer full", null, Count.CutOff,
            _ => "the response would exceed the per-connection send buffer limit"),
        [ConnectionCloseReason.Refused] = new("refused", null, Count.None,
            _ => "the client's address is not allowed, or holds its most connections already"),
        [ConnectionCloseReason.ServerStopping] = new("server stopping", null, Count.None),
        [ConnectionCloseReason.DrainTimeout] = new("drain timeout", "drain", Count.ForcedAtStop,
            o => $"still busy {Durations.Format(o.Timeouts.DrainTimeout)} after the server began to stop"),
    };

    /// <summary>
    /// A short phrase for the "Closing connection N (...)" line; with the server's <paramref name="options"/>, followed
    /// by the bound that was broken ("idle timeout: no request within 2m").
    /// </summary>
    public static string Describe(this ConnectionCloseReason reason, ServerOptions? options = null)
    {
        if (!Table.TryGetValue(reason, out Entry? entry))
        {
            return reason.ToString();
        }
        return options is not null && entry.Detail?.Invoke(options) is { } detail ? $"{entry.Phrase}: {detail}" : entry.Phrase;
    }

    /// <summary>The <c>socketkit.timeout.kind</c> tag for <paramref name="reason"/>, or null when it is not a timeout.</summary>
    internal static string? TimeoutKind(this ConnectionCloseReason reason) => Table.TryGetValue(reason, out Entry? entry) ? entry.TimeoutKind : null;

    /// <summary>The close count <paramref name="reason"/> adds to.</summary>
    internal static Count Counter(this ConnectionCloseReason reason) => Table.TryGetValue(reason, out Entry? entry) ? entry.Counter : Count.None;
}
