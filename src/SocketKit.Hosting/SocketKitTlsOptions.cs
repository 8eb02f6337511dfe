namespace SocketKit.Hosting;

/// <summary>The server's certificate and key, as PEM files (openssl, certbot).</summary>
public sealed class SocketKitTlsOptions
{
    /// <summary>The certificate (chain) in PEM.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key in PEM.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Mutual TLS: require client certificates issued by the CA in this PEM file (<c>--tls-client-ca</c>; see
    /// <see cref="Transport.Tls.TlsServerOptions.ClientCertificateAuthorities"/>). Null: no client certificate asked for.
    /// </summary>
    public string? ClientCertificateAuthorityPath { get; set; }

    /// <summary>With <see cref="ClientCertificateAuthorityPath"/>: serve clients without a certificate too (<c>--tls-client-optional</c>). Default false.</summary>
    public bool ClientCertificateOptional { get; set; }
}
