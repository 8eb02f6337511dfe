namespace SocketKit.Transport.Tls;

/// <summary>
/// Why a TLS client's connection was refused, where the client can tell: the fact a program words its advice from
/// (which option gives a certificate, a CA or a name), since the library does not know how its user spells them.
/// </summary>
public enum TlsRefusal
{
    /// <summary>The server requires a client certificate, and none was given.</summary>
    ClientCertificateMissing,
    /// <summary>The server's certificate is for other names than the one asked for.</summary>
    ServerNameMismatch,
    /// <summary>The server's certificate does not chain to a root this system trusts (unknown issuer or self-signed).</summary>
    ServerUntrusted,
    /// <summary>The server's certificate does not chain to the CA certificates the client was given.</summary>
    ServerNotFromGivenCa,
    /// <summary>The server's certificate does not chain to the given CA certificates, or is for another name: the platform did not say which.</summary>
    ServerNotFromGivenCaOrName,
}

/// <summary>What went wrong with a TLS connection, in words, and why where the client can tell.</summary>
/// <param name="Text">What happened, e.g. "the server requires a client certificate, and none was given".</param>
/// <param name="Refusal">Why, as a fact to advise from; null when the failure says no more than <paramref name="Text"/>.</param>
public sealed record TlsProblem(string Text, TlsRefusal? Refusal = null)
{
    /// <summary>The words: a problem reads as its text in a message.</summary>
    public override string ToString() => Text;
}
