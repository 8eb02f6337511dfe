using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>TLS on a server: the certificate it presents, and how long a client may take to finish the handshake.</summary>
public sealed record TlsServerOptions
{
    /// <summary>The server's certificate, with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>
    /// The longest a connection may take to complete the TLS handshake, from its accept; a peer that has not finished by
    /// then is closed (<see cref="ConnectionCloseReason.HandshakeTimeout"/>), so connections that open TCP and never send
    /// a ClientHello cannot pile up. Checked by the server's heartbeat with the connection's other deadlines. Default 10 s.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

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
