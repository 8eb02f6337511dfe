using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Logging;

namespace SocketKit.Transport.Tls;

/// <summary>
/// A server's certificate and key, read from PEM files and read again on demand, so a renewed certificate (certbot's,
/// an internal CA's) is served without a restart: a handshake takes the pair in use when it starts, so connections
/// already open are untouched. A new pair that cannot be used (a file missing or unreadable, a key that is not the
/// certificate's, a certificate already expired) leaves the old one in use, and says why.
/// </summary>
/// <remarks>Thread-safe: the reload swaps one reference that handshakes on every loop read.</remarks>
public sealed class ServerCertificateFiles
{
    private X509Certificate2 _current;

    /// <summary>
    /// Reads the pair for the first time. A certificate already expired is taken at start, as before there were
    /// reloads (the clients will say so); only a reload refuses one, keeping the pair in use instead.
    /// </summary>
    /// <exception cref="TlsSetupException">A file is missing, or the key is not the certificate's: the server cannot start with it.</exception>
    public ServerCertificateFiles(string certificatePath, string keyPath)
    {
        CertificatePath = certificatePath;
        KeyPath = keyPath;
        _current = Load(clock: null);
    }

    /// <summary>The PEM certificate file (with any intermediates after it).</summary>
    public string CertificatePath { get; }

    /// <summary>The PEM private key file.</summary>
    public string KeyPath { get; }

    /// <summary>The pair a handshake starting now presents.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>
    /// Reads the files again. True when the new pair is in use from the next handshake on (logged at Information,
    /// with its subject and expiry); false when it cannot be used, the old pair staying in use (logged as an error, with why).
    /// </summary>
    public bool Reload(ILogger logger, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        X509Certificate2 old = Current;
        try
        {
            X509Certificate2 fresh = Load(clock ?? TimeProvider.System);
            Volatile.Write(ref _current, fresh);
            // The old one is not disposed: a handshake that took it a moment ago may still be using it.
            Log.CertificateReloaded(logger, CertificatePath, fresh.Subject, Format(fresh.NotAfter));
            return true;
        }
        catch (TlsSetupException ex)
        {
            Log.CertificateReloadFailed(logger, old.Subject, Format(old.NotAfter), ex.Message);
            return false;
        }
    }

    /// <param name="clock">The time a new certificate must not have expired by; null takes one whatever its dates.</param>
    private X509Certificate2 Load(TimeProvider? clock)
    {
        X509Certificate2 certificate = TlsServerOptions.LoadPem(CertificatePath, KeyPath);
        if (!certificate.HasPrivateKey)
        {
            throw new TlsSetupException($"{KeyPath} holds no private key for {CertificatePath}");
        }
        if (clock is not null && certificate.NotAfter.ToUniversalTime() < clock.GetUtcNow().UtcDateTime)
        {
            throw new TlsSetupException($"the certificate in {CertificatePath} ({certificate.Subject}) expired on {Format(certificate.NotAfter)}");
        }
        return certificate;
    }

    /// <summary>A certificate's date in UTC, as the log says it.</summary>
    internal static string Format(DateTime date) => date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
