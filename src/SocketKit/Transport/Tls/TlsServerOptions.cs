using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>TLS on a server: the certificate it presents. How long a client may take to finish the handshake is <see cref="ServerTimeouts.HandshakeTimeout"/>.</summary>
public sealed record TlsServerOptions
{
    /// <summary>The server's certificate, with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

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
            throw new TlsSetupException($"cannot load the certificate {certificatePath} with the key {keyPath}: {ex.Message.TrimEnd('.')}", ex);
        }
    }
}
