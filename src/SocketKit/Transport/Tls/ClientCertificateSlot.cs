using SocketKit.Transport.Connections;
namespace SocketKit.Transport.Tls;

/// <summary>
/// The client certificate of one connection, set once by its driver when the TLS handshake accepted it; the
/// <see cref="ConnectionInfo"/> its handler got (made before the handshake) reads it from here.
/// </summary>
internal sealed class ClientCertificateSlot
{
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    /// <summary>Null until the handshake accepted a certificate (and for ever, when the client gave none).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate
    {
        get => Volatile.Read(ref _certificate);
        set => Volatile.Write(ref _certificate, value);
    }
}
