namespace SocketKit.Hosting;

/// <summary>
/// A server's TLS as configuration gives it (<c>SocketKit:Servers:NAME:Tls</c>): the PEM files, read into the library's
/// one server TLS type, <see cref="Transport.Tls.TlsServerOptions"/>, by <see cref="Transport.Tls.TlsServerOptions.FromPemFiles"/>.
/// </summary>
public sealed class SocketKitTlsFiles
{
    /// <summary>The certificate (chain) in PEM (openssl, certbot).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key in PEM.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Mutual TLS: require client certificates issued by the CA in this PEM file (see
    /// <see cref="Transport.Tls.TlsServerOptions.ClientCertificateAuthorities"/>). Null: no client certificate asked for.
    /// </summary>
    public string? ClientCertificateAuthorityPath { get; set; }

    /// <summary>With <see cref="ClientCertificateAuthorityPath"/>: serve clients without a certificate too. Default false.</summary>
    public bool ClientCertificateOptional { get; set; }
}
