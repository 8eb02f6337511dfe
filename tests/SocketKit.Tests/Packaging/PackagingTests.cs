using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using SocketKit.Tests.Support;

namespace SocketKit.Tests.Packaging;

/// <summary>
/// `dotnet pack` as the README says, then the tool installed from the packed folder into a temporary
/// --tool-path and run as a user runs it. Packs the build the tests run on (--no-build), so it costs seconds.
/// </summary>
public sealed class PackagingTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly string _work = Directory.CreateTempSubdirectory("socketkit-pack-").FullName;

    private static string Version =>
        typeof(SocketKit.Transport.SocketServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public async Task PackMakesTheLibrariesAndAToolThatInstallsAndRuns()
    {
        string configuration = typeof(PackagingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string packages = Path.Combine(_work, "packages");
        await RunAsync("dotnet", "pack", Path.Combine(Repository.Root, "SocketKit.slnx"), "-c", configuration, "--no-build", "-o", packages);

        foreach (string id in new[] { "SocketKit", "SocketKit.Protocol", "SocketKit.Tool" })
        {
            using ZipArchive package = ZipFile.OpenRead(Path.Combine(packages, $"{id}.{Version}.nupkg"));
            XNamespace ns = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Root!.Name.Namespace;
            XElement metadata = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Root!.Element(ns + "metadata")!;
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
            Assert.NotNull(package.GetEntry("README.md"));
            if (id != "SocketKit.Tool")
            {
                Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml")); // XML docs ship with the library.
            }
        }

        string tools = Path.Combine(_work, "tools");
        await RunAsync("dotnet", "tool", "install", "SocketKit.Tool", "--tool-path", tools, "--add-source", packages, "--version", Version, "--ignore-failed-sources");
        string socketkit = Path.Combine(tools, "socketkit");
        Assert.StartsWith(Version, (await RunAsync(socketkit, "--version")).Trim());
        string help = await RunAsync(socketkit, "--help");
        Assert.Contains("Usage:", help);
        Assert.Contains("tour", help);
        Assert.Contains("app-server", help);
    }

    private async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {Limit}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
