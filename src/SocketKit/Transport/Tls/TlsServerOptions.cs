using System.Security.Cryptography.X509Certificates;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Tls;

/// <summary>
/// TLS on a server: the certificate it presents (from files it can read again) and the client certificates it asks for.
/// How long a client may take to finish the handshake is <see cref="ServerTimeouts.HandshakeTimeout"/>.
/// </summary>
public sealed record TlsServerOptions
{
    /// <summary>The server's certificate, with its private key; with <see cref="CertificateFiles"/>, the one it held at start.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>
    /// The PEM files the certificate came from, which <see cref="ServerCertificateFiles.Reload"/> reads again (on SIGHUP,
    /// or when Hosting sees them change): each new handshake uses the pair in use then, connections already open keep
    /// theirs. Null, the default: <see cref="Certificate"/> for as long as the server runs. <see cref="FromPemFiles"/> sets both.
    /// </summary>
    public ServerCertificateFiles? CertificateFiles { get; init; }

    /// <summary>The certificate a handshake starting now presents.</summary>
    public X509Certificate2 CurrentCertificate => CertificateFiles?.Current ?? Certificate;

    /// <summary>
    /// Mutual TLS: ask every client for a certificate that chains to one of these CAs, and
    /// refuse the handshake of a client without one (unless <see cref="ClientCertificateOptional"/>), with one from
    /// another CA, or with one expired; the refusal is logged in those words. The certificate's subject is logged and
    /// given to the handler (<see cref="ConnectionInfo.ClientCertificate"/>). Revocation is not checked (no CRL or OCSP
    /// fetch from the server's loop). Null, the default: no client certificate is asked for.
    /// </summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; init; }

    /// <summary>
    /// With <see cref="ClientCertificateAuthorities"/>: ask for a client certificate but serve a client that gives none
    /// too (its handler sees no certificate); one that is given must still chain to the CAs and be in date. Default
    /// false: a certificate is required, the safe choice when the CA is the only gate.
    /// </summary>
    public bool ClientCertificateOptional { get; init; }

    private sealed record Mutual(X509Certificate2 Certificate, X509Certificate2Collection Authorities, System.Net.Security.SslStreamCertificateContext Context);

    private Mutual? _mutual;

    /// <summary>
    /// With <see cref="ClientCertificateAuthorities"/>: the current certificate with the CAs' names to send in the
    /// handshake's certificate request, made once per certificate (a reload makes the next), not once per handshake.
    /// </summary>
    internal System.Net.Security.SslStreamCertificateContext MutualContext()
    {
        X509Certificate2 certificate = CurrentCertificate;
        X509Certificate2Collection authorities = ClientCertificateAuthorities!;
        if (Volatile.Read(ref _mutual) is { } made && ReferenceEquals(made.Certificate, certificate) && ReferenceEquals(made.Authorities, authorities))
        {
            return made.Context;
        }
        var context = System.Net.Security.SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true,
            trust: System.Net.Security.SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true));
        Volatile.Write(ref _mutual, new Mutual(certificate, authorities, context));
        return context;
    }

    /// <summary>
    /// Options for a certificate and key read from PEM files, which the server can read again (<see cref="CertificateFiles"/>):
    /// what the command line and configuration both give, read in one place.
    /// </summary>
    /// <param name="certificatePath">The certificate (chain) in PEM.</param>
    /// <param name="keyPath">Its private key in PEM.</param>
    /// <param name="clientCertificateAuthorityPath">Mutual TLS: the PEM file of the CAs a client's certificate must be issued by (<see cref="ClientCertificateAuthorities"/>); null (the default) asks for none.</param>
    /// <param name="clientCertificateOptional">With <paramref name="clientCertificateAuthorityPath"/>: serve clients without a certificate too (<see cref="ClientCertificateOptional"/>). Default false.</param>
    /// <exception cref="TlsSetupException">A file is missing or does not hold what it should.</exception>
    public static TlsServerOptions FromPemFiles(string certificatePath, string keyPath, string? clientCertificateAuthorityPath = null, bool clientCertificateOptional = false)
    {
        var files = new ServerCertificateFiles(certificatePath, keyPath);
        return new TlsServerOptions
        {
            Certificate = files.Current,
            CertificateFiles = files,
            ClientCertificateAuthorities = clientCertificateAuthorityPath is null ? null : LoadClientAuthorities(clientCertificateAuthorityPath),
            ClientCertificateOptional = clientCertificateOptional,
        };
    }

    /// <summary>Loads a certificate and its private key from PEM files (as made by openssl or certbot).</summary>
    /// <exception cref="TlsSetupException">A file is missing or does not hold what it should.</exception>
    public static X509Certificate2 LoadPem(string certificatePath, string keyPath)
    {
        foreach (string path in new[] { certificatePath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new TlsSetupException($"cannot read {path}: no such file");
            }
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new TlsSetupException($"cannot load the certificate {certificatePath} with the key {keyPath}: {ex.Message.Split(" (Parameter", 2)[0].TrimEnd('.')}", ex);
        }
    }

    /// <summary>Loads the CA certificates client certificates must chain to from a PEM file.</summary>
    /// <exception cref="TlsSetupException">The file is missing or holds no certificate.</exception>
    public static X509Certificate2Collection LoadClientAuthorities(string pemPath) => TlsClientOptions.LoadTrustedRoots(pemPath);
}
