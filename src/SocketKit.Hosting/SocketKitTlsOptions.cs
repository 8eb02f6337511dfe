namespace SocketKit.Hosting;

/// <summary>The server's certificate and key, as PEM files (openssl, certbot).</summary>
public sealed class SocketKitTlsOptions
{
    /// <summary>The certificate (chain) in PEM.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key in PEM.</summary>
    public string? KeyPath { get; set; }
}
