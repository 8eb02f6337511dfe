using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Tests.Support;

/// <summary>A self-signed server certificate made at test time for localhost, 127.0.0.1 and ::1, and its PEM files.</summary>
public static class TestCertificates
{
    private static readonly Lazy<(X509Certificate2 Certificate, string CertificatePath, string KeyPath)> s_server = new(Make);

    public static X509Certificate2 Server => s_server.Value.Certificate;

    public static string CertificatePath => s_server.Value.CertificatePath;

    public static string KeyPath => s_server.Value.KeyPath;

    private static (X509Certificate2, string, string) Make()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string directory = TestScratch.Directory;
        string certificatePath = Path.Combine(directory, "cert.pem");
        string keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, made.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath, keyPath);
    }
}
