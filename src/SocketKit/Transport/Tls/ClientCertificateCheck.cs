using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>
/// A server's judgement of the certificate a client gave in the handshake (mutual TLS), in words the log can say:
/// none given, not from the trusted CAs, out of date. Chains are built against the given CAs only, never the
/// system's roots, and revocation is not fetched.
/// </summary>
internal static class ClientCertificateCheck
{
    /// <summary>
    /// Null when <paramref name="given"/> is acceptable (<paramref name="accepted"/> is then a copy the connection may keep,
    /// or null when none was given and that is allowed); otherwise why not.
    /// </summary>
    public static string? Judge(X509Certificate? given, TlsServerOptions options, out X509Certificate2? accepted)
    {
        accepted = null;
        X509Certificate2Collection authorities = options.ClientCertificateAuthorities!;
        if (given is null)
        {
            return options.ClientCertificateOptional ? null
                : $"the client gave no certificate; this server requires one issued by {Names(authorities)}";
        }
        // A copy: the handshake's own object goes with its stream, the connection keeps this one.
        X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(given.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
        {
            accepted = certificate;
            return null;
        }
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in chain.ChainStatus)
        {
            flags |= status.Status;
        }
        string subject = certificate.Subject;
        string? why = null;
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid)) != 0)
        {
            why = $"the client's certificate {subject} (issued by {certificate.Issuer}) is not issued by {Names(authorities)}, the CA this server trusts for clients";
        }
        else if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            DateTime now = DateTime.UtcNow;
            why = certificate.NotAfter.ToUniversalTime() < now
                ? $"the client's certificate {subject} expired on {ServerCertificateFiles.Format(certificate.NotAfter)}"
                : $"the client's certificate {subject} is not valid before {ServerCertificateFiles.Format(certificate.NotBefore)}";
        }
        certificate.Dispose();
        return why ?? $"the client's certificate {subject} is refused: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')))}";
    }

    private static string Names(X509Certificate2Collection authorities) =>
        string.Join(" or ", authorities.Select(a => a.Subject));
}
