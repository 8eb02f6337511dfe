namespace SocketKit.Tests.Support;

/// <summary>Where the repository is, found from the test's own folder (the one holding SocketKit.slnx).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SocketKit.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"SocketKit.slnx not found above {AppContext.BaseDirectory}");
    }
}
