using Microsoft.Extensions.Logging;
using SocketKit.Transport.Tls;

namespace SocketKit.Hosting;

/// <summary>
/// Reads a server's certificate and key again when either file changes (a renewal by certbot, a secret mounted anew),
/// as <c>socketkit</c> does on SIGHUP: new handshakes use the new pair, connections open keep theirs, and a pair that
/// cannot be used leaves the old one in use, logged with why. A renewal writes several files in a burst (and may swap
/// a symbolic link): the reload waits until the folders have been quiet for <see cref="Settle"/>, then reads once.
/// </summary>
internal sealed class CertificateFileWatcher : IDisposable
{
    /// <summary>How long the files must be left alone before they are read: a renewal's writes come within it.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _timer;

    public CertificateFileWatcher(ServerCertificateFiles files, ILogger logger)
    {
        _timer = new Timer(_ => files.Reload(logger));
        foreach (string folder in new[] { files.CertificatePath, files.KeyPath }.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct())
        {
            // The folder, not the file: a file replaced by a rename (or a link swapped) is a new file the old watch would miss.
            var watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            watcher.Changed += (_, _) => Touched();
            watcher.Created += (_, _) => Touched();
            watcher.Renamed += (_, _) => Touched();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    private void Touched() => _timer.Change(Settle, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        foreach (FileSystemWatcher watcher in _watchers)
        {
            watcher.Dispose();
        }
        _timer.Dispose();
    }
}
