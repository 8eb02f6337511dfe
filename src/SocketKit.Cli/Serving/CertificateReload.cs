using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SocketKit.Transport.Tls;

namespace SocketKit.Cli.Serving;

/// <summary>
/// SIGHUP, as nginx and HAProxy take it: read the TLS certificate and key again (new handshakes use the new pair,
/// connections open keep theirs; a pair that cannot be used leaves the old one in use, logged with why). It no longer
/// ends the server, TLS or not: its default action would.
/// </summary>
internal static class CertificateReload
{
    /// <summary>Handles SIGHUP while the result lives; null where the system has no SIGHUP.</summary>
    public static IDisposable? OnHangUp(ServerCertificateFiles? files, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // Not the default action: the server goes on.
            if (files is null)
            {
                logger.LogInformation("Caught SIGHUP: nothing to reload (no TLS certificate); still serving");
                return;
            }
            files.Reload(logger);
        });
    }
}
