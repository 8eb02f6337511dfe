namespace SocketKit.Tests.Support;

/// <summary>
/// The real dotnet-counters, installed once per machine as a dotnet tool into a folder of its own (scripts/test.sh
/// installs it there beforehand, so a test run needs no network).
/// </summary>
public static class DotnetCounters
{
    public const string Version = "10.0.750501";

    private static readonly SemaphoreSlim s_installing = new(1, 1);

    public static string ToolPath { get; } = Path.Combine(Path.GetTempPath(), "socketkit-tools", $"dotnet-counters-{Version}");

    public static async Task<string> PathAsync()
    {
        string program = Path.Combine(ToolPath, "dotnet-counters");
        await s_installing.WaitAsync();
        try
        {
            if (!File.Exists(program))
            {
                (int exitCode, string output, string error) = await ExternalProgram.RunAsync("dotnet",
                    ["tool", "install", "--tool-path", ToolPath, "dotnet-counters", "--version", Version], TimeSpan.FromMinutes(3));
                Assert.True(exitCode == 0, $"dotnet-counters {Version} is not installed in {ToolPath} and installing it failed " +
                    $"(run scripts/test.sh, which installs it, on a machine that reaches the NuGet registry):\n{output}\n{error}");
            }
        }
        finally
        {
            s_installing.Release();
        }
        return program;
    }
}
