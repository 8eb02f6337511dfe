namespace SocketKit.Transport.Errors;

/// <summary>What a socket error means, as the tutorial's error table explains it: the facts a program words its advice from.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="ErrnoName">The Linux errno name, such as ECONNREFUSED (or EAI_NONAME for name resolution).</param>
/// <param name="Errno">The Linux errno number (0 where there is none).</param>
/// <param name="Summary">What happened, in one sentence.</param>
public sealed record SocketErrorAdvice(SocketErrorKind Kind, string ErrnoName, int Errno, string Summary);
