namespace SocketKit.Tests.Support;

/// <summary>
/// The real dotnet-counters, installed as a dotnet tool into a folder of its own by scripts/test.sh, so a test run
/// needs no network; a test that uses it says so (<c>[ExternalFact("dotnet-counters")]</c>) and is skipped, or fails
/// under SOCKETKIT_REQUIRE_ALL, where it is missing.
/// </summary>
public static class DotnetCounters
{
    public const string Version = "10.0.750501";

    public static string ToolPath { get; } = Path.Combine(Path.GetTempPath(), "socketkit-tools", $"dotnet-counters-{Version}");

    public static string Program => Path.Combine(ToolPath, "dotnet-counters");
}
