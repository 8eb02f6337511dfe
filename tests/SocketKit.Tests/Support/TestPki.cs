using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Tests.Support;

/// <summary>
/// A small PKI made at test time for mutual TLS: a CA, another CA, a server certificate from the CA (for localhost,
/// 127.0.0.1, ::1), another for a name only (app.internal), and client certificates: one from the CA, one from the
/// other CA, one from the CA already expired. Every certificate and key is also a PEM file.
/// </summary>
public static class TestPki
{
    private static readonly Lazy<Made> s_made = new(Make);

    public sealed record Pair(X509Certificate2 Certificate, string CertificatePath, string KeyPath);

    public sealed record Made(Pair Ca, Pair OtherCa, Pair Server, Pair NamedServer, Pair Client, Pair ClientOfOtherCa, Pair ExpiredClient);

    public static Pair Ca => s_made.Value.Ca;
    public static Pair OtherCa => s_made.Value.OtherCa;
    public static Pair Server => s_made.Value.Server;
    /// <summary>A server certificate for app.internal and nothing else.</summary>
    public static Pair NamedServer => s_made.Value.NamedServer;
    public static Pair Client => s_made.Value.Client;
    public static Pair ClientOfOtherCa => s_made.Value.ClientOfOtherCa;
    public static Pair ExpiredClient => s_made.Value.ExpiredClient;

    /// <summary>A server certificate and key from the CA, with its own subject, in a folder of its own (to replace files with).</summary>
    public static Pair NewServer(string commonName) => Issue(Ca, $"CN={commonName}", server: true, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), Directory.CreateDirectory(Path.Combine(TestScratch.Directory, $"pki-{Guid.NewGuid():N}"[..12])).FullName, "server");

    /// <summary>
    /// The server pair copied to live.pem and live.key in a folder of their own, for a test that writes other pairs over
    /// them (<see cref="WriteOver"/>) to see them read again.
    /// </summary>
    public static (string Certificate, string Key) CopyOfServer()
    {
        string folder = Directory.CreateDirectory(Path.Combine(TestScratch.Directory, $"live-{Guid.NewGuid():N}"[..15])).FullName;
        (string certificate, string key) = (Path.Combine(folder, "live.pem"), Path.Combine(folder, "live.key"));
        WriteOver(Server, certificate, key);
        return (certificate, key);
    }

    /// <summary>Writes <paramref name="pair"/>'s certificate and key over (or to) the two files.</summary>
    public static void WriteOver(Pair pair, string certificate, string key)
    {
        File.Copy(pair.CertificatePath, certificate, overwrite: true);
        File.Copy(pair.KeyPath, key, overwrite: true);
    }

    private static Made Make()
    {
        string folder = Directory.CreateDirectory(Path.Combine(TestScratch.Directory, "pki")).FullName;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Pair ca = MakeCa("CN=SocketKit Test CA", folder, "ca");
        Pair other = MakeCa("CN=Another CA", folder, "other-ca");
        return new Made(
            ca,
            other,
            Issue(ca, "CN=localhost", server: true, now.AddMinutes(-5), now.AddDays(1), folder, "server"),
            Issue(ca, "CN=app.internal", server: true, now.AddMinutes(-5), now.AddDays(1), folder, "named-server", names: ["app.internal"]),
            Issue(ca, "CN=alice", server: false, now.AddMinutes(-5), now.AddDays(1), folder, "client"),
            Issue(other, "CN=mallory", server: false, now.AddMinutes(-5), now.AddDays(1), folder, "client-other-ca"),
            Issue(ca, "CN=bob", server: false, now.AddDays(-10), now.AddDays(-1), folder, "client-expired"));
    }

    private static Pair MakeCa(string subject, string folder, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddDays(30));
        return Write(made, key, folder, name);
    }

    private static Pair Issue(Pair issuer, string subject, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter, string folder, string name, string[]? names = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var alternative = new SubjectAlternativeNameBuilder();
            if (names is null)
            {
                alternative.AddDnsName("localhost");
                alternative.AddIpAddress(IPAddress.Loopback);
                alternative.AddIpAddress(IPAddress.IPv6Loopback);
            }
            else
            {
                foreach (string dns in names) alternative.AddDnsName(dns);
            }
            request.CertificateExtensions.Add(alternative.Build());
        }
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using X509Certificate2 made = request.Create(issuer.Certificate, notBefore, notAfter, serial);
        return Write(made, key, folder, name);
    }

    private static Pair Write(X509Certificate2 made, ECDsa key, string folder, string name)
    {
        string certificatePath = Path.Combine(folder, name + ".pem");
        string keyPath = Path.Combine(folder, name + ".key");
        File.WriteAllText(certificatePath, made.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new Pair(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath, keyPath);
    }
}
