namespace SocketKit.Diagnostics.Ping;

/// <summary>How one probe ended.</summary>
public enum PingOutcome
{
    /// <summary>An ICMP echo reply came back, or the TCP connection was accepted.</summary>
    Replied,
    /// <summary>No answer within the timeout.</summary>
    TimedOut,
    /// <summary>The TCP connection was refused: the host is up, nothing listens on the port.</summary>
    Refused,
    /// <summary>An ICMP error said the host or network cannot be reached.</summary>
    Unreachable,
    /// <summary>Any other failure (the detail says which).</summary>
    Failed,
}

/// <summary>The result of one probe.</summary>
/// <param name="Sequence">The probe's number, from 1.</param>
/// <param name="Address">The address probed.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="RoundTrip">The time from sending to the answer, measured with a Stopwatch (sub-millisecond); zero without an answer.</param>
/// <param name="Ttl">The reply's time to live, when the platform reports it.</param>
/// <param name="Bytes">ICMP bytes received (payload + 8), or 0 for TCP.</param>
/// <param name="Kind">The socket error kind for a failed TCP probe, so the error guide can explain it.</param>
/// <param name="Detail">A short reason for failures.</param>
public sealed record PingProbe(int Sequence, IPAddress Address, PingOutcome Outcome, TimeSpan RoundTrip, int? Ttl = null, int Bytes = 0,
    SocketErrorKind? Kind = null, string? Detail = null);
