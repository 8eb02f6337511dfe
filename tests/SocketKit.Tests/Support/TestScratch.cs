namespace SocketKit.Tests.Support;

/// <summary>
/// This test run's own folder for files (certificates, Unix socket paths), short so a socket path stays under 107
/// bytes, and removed when the run ends so runs leave nothing behind.
/// </summary>
public static class TestScratch
{
    private static readonly Lazy<string> s_directory = new(Create);

    public static string Directory => s_directory.Value;

    private static string Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sk-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return directory;
    }
}
