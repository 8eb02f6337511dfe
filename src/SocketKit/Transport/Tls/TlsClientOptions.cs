using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>TLS on a client: which server certificates to trust, the name to ask for, and the client's own certificate.</summary>
public sealed record TlsClientOptions
{
    /// <summary>
    /// Trust only certificates issued by these (a private CA, or a self-signed server certificate itself) instead of
    /// the system's roots. Null, the default: the system's roots.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>Accept any certificate, unverified. For tests against a self-signed server only. Default false.</summary>
    public bool AcceptAnyCertificate { get; init; }

    /// <summary>
    /// The name sent in the handshake (SNI) and the name the server's certificate must carry.
    /// Null, the default: the host the client was given (for a Unix socket, which has no host name, "localhost").
    /// </summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// The client's own certificate, with its private key, for a server that asks for one (mutual TLS).
    /// Null, the default: none is given.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Loads the certificates of a PEM file to trust, in place of the system's roots.</summary>
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

    /// <summary>The name asked for when connecting to <paramref name="host"/>.</summary>
    internal string TargetHost(string host) =>
        ServerName ?? (EndPoints.TryGetUnixPath(host, out _) ? "localhost" : host);

    internal SslClientAuthenticationOptions ToSslOptions(string host, ServerCertificateSeen? seen = null) => new()
    {
        TargetHost = TargetHost(host),
        // SslStream asks first before the handshake (no server certificate yet): answering none then makes it ask again
        // when (and only when) the server requests a certificate, with the CAs the server named, which explain a refusal.
        LocalCertificateSelectionCallback = (_, _, _, remote, issuers) =>
        {
            if (remote is null)
            {
                return null!;
            }
            seen?.Asked(issuers);
            return ClientCertificate!;
        },
        // Without a witness to tell, the system's own check (and its own words) where it is the one that applies.
        RemoteCertificateValidationCallback = seen is null && TrustedRoots is null && !AcceptAnyCertificate ? null : (_, certificate, _, errors) =>
        {
            bool accepted = AcceptAnyCertificate
                || (TrustedRoots is null ? errors == SslPolicyErrors.None : certificate is not null && ChainsTo(certificate, errors));
            seen?.Keep(certificate, errors, TrustedRoots is not null, accepted);
            return accepted;
        },
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
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}

/// <summary>What a client's handshake saw of the server's certificate, to say why it was refused in words.</summary>
internal sealed class ServerCertificateSeen(string askedName)
{
    /// <summary>The name the client asked for (SNI, and checked against the certificate).</summary>
    public string AskedName { get; } = askedName;

    /// <summary>The server's certificate, once the handshake got it.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>True once the server asked for a client certificate (mutual TLS).</summary>
    public bool AskedForCertificate { get; private set; }

    /// <summary>The CAs the server named when it asked (a SocketKit server names those of its <see cref="TlsServerOptions.ClientCertificateAuthorities"/>).</summary>
    public IReadOnlyList<string> AcceptableIssuers { get; private set; } = [];

    /// <summary>The client certificate given, if any.</summary>
    public X509Certificate2? Given { get; init; }

    public void Asked(string[] issuers)
    {
        AskedForCertificate = true;
        AcceptableIssuers = issuers;
    }

    /// <summary>
    /// Why a server that asked for a client certificate and then ended the connection refused it, as far as the client
    /// can tell: none given, one from a CA the server did not name, one out of date. Null when the server asked for none.
    /// (With TLS 1.3 the server judges the certificate after the client's handshake is over, and a SocketKit server
    /// sends no alert: this is what the client knows.)
    /// </summary>
    public TlsProblem? Refusal()
    {
        if (!AskedForCertificate)
        {
            return null;
        }
        string from = AcceptableIssuers.Count == 0 ? "" : $" issued by {string.Join(" or ", AcceptableIssuers)}";
        if (Given is null)
        {
            return new TlsProblem($"the server requires a client certificate{from}, and none was given", TlsRefusal.ClientCertificateMissing);
        }
        DateTime now = DateTime.UtcNow;
        if (Given.NotAfter.ToUniversalTime() < now)
        {
            return new TlsProblem($"the server refused this client's certificate {Given.Subject}: it expired on {ServerCertificateFiles.Format(Given.NotAfter)}");
        }
        if (Given.NotBefore.ToUniversalTime() > now)
        {
            return new TlsProblem($"the server refused this client's certificate {Given.Subject}: it is not valid before {ServerCertificateFiles.Format(Given.NotBefore)}");
        }
        if (AcceptableIssuers.Count > 0 && !AcceptableIssuers.Contains(Given.Issuer, StringComparer.OrdinalIgnoreCase))
        {
            return new TlsProblem($"the server refused this client's certificate {Given.Subject}: it is issued by {Given.Issuer}, and the server asks for one{from}");
        }
        return new TlsProblem($"the server refused this client's certificate {Given.Subject} (issued by {Given.Issuer}); the server's log says why");
    }

    /// <summary>What the system's check found wrong with it.</summary>
    public SslPolicyErrors Errors { get; private set; }

    /// <summary>True when the client trusts its own CAs (<see cref="TlsClientOptions.TrustedRoots"/>) rather than the system's roots.</summary>
    public bool OwnRoots { get; private set; }

    /// <summary>True once the client's check refused the server's certificate.</summary>
    public bool Refused { get; private set; }

    /// <summary>Keep the server's certificate even when it is accepted, to say what was negotiated; else only a refused one is kept.</summary>
    public bool Describe { get; init; }

    public void Keep(X509Certificate? certificate, SslPolicyErrors errors, bool ownRoots, bool accepted)
    {
        Errors = errors;
        OwnRoots = ownRoots;
        Refused = !accepted;
        // A copy costs a parse per handshake: only for words to say.
        if (certificate is not null && Certificate is null && (Refused || Describe))
        {
            Certificate = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        }
    }

    /// <summary>The names the certificate is for: its DNS and IP subject alternative names, else its common name.</summary>
    public IReadOnlyList<string> Names()
    {
        if (Certificate is null)
        {
            return [];
        }
        var names = new List<string>();
        foreach (X509Extension extension in Certificate.Extensions)
        {
            X509SubjectAlternativeNameExtension? san = extension as X509SubjectAlternativeNameExtension
                ?? (extension.Oid?.Value == "2.5.29.17" ? new X509SubjectAlternativeNameExtension(extension.RawData) : null);
            if (san is not null)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }
        if (names.Count == 0 && Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } common)
        {
            names.Add(common);
        }
        return names;
    }
}
