using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>TLS on a client: which server certificates to trust.</summary>
public sealed record TlsClientOptions
{
    /// <summary>
    /// Trust only certificates issued by these (a private CA, or a self-signed server certificate itself) instead of
    /// the system's roots. Null, the default: the system's roots.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>Accept any certificate, unverified. For tests against a self-signed server only. Default false.</summary>
    public bool AcceptAnyCertificate { get; init; }

    /// <summary>The name the server's certificate must carry. Null, the default: the host the client was given.</summary>
    public string? ServerName { get; init; }

    /// <summary>Loads the certificates of a PEM file to trust (<c>--tls-ca</c>).</summary>
    /// <exception cref="TlsSetupException">The file is missing or holds no certificate.</exception>
    public static X509Certificate2Collection LoadTrustedRoots(string pemPath)
    {
        if (!File.Exists(pemPath))
        {
            throw new TlsSetupException($"cannot read {pemPath}: no such file");
        }
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(pemPath);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new TlsSetupException($"cannot read certificates from {pemPath}: {ex.Message.TrimEnd('.')}", ex);
        }
        if (roots.Count == 0)
        {
            throw new TlsSetupException($"{pemPath} holds no PEM certificate");
        }
        return roots;
    }

    internal SslClientAuthenticationOptions ToSslOptions(string host) => new()
    {
        TargetHost = ServerName ?? host,
        RemoteCertificateValidationCallback = AcceptAnyCertificate ? (_, _, _, _) => true
            : TrustedRoots is null ? null
            : (_, certificate, _, errors) => certificate is not null && ChainsTo(certificate, errors),
    };

    private bool ChainsTo(X509Certificate certificate, SslPolicyErrors errors)
    {
        // The name must still match; only the chain is judged against our own roots instead of the system's.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedRoots!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
