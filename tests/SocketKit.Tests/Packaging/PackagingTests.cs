using System.IO.Compression;
using System.Xml.Linq;

namespace SocketKit.Tests.Packaging;

/// <summary>
/// `dotnet pack` as the README says (once, shared: <see cref="PackedSolution"/>), then the tool installed from the
/// packed folder into a temporary --tool-path and run as a user runs it.
/// </summary>
[Collection(PackagingCollection.Name)]
[Tier(TestTier.Socket)]
public sealed class PackagingTests(PackedSolution packed)
{
    private static string Version => PackedSolution.Version;

    [Fact]
    public async Task PackMakesTheLibrariesAndAToolThatInstallsAndRuns()
    {
        string packages = packed.Packages;
        foreach (string id in new[] { "SocketKit", "SocketKit.Protocol", "SocketKit.Hosting", "SocketKit.Tool", "SocketKit.Templates" })
        {
            using ZipArchive package = ZipFile.OpenRead(Path.Combine(packages, $"{id}.{Version}.nupkg"));
            XElement nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Root!;
            XNamespace ns = nuspec.Name.Namespace;
            XElement metadata = nuspec.Element(ns + "metadata")!;
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
            Assert.NotNull(package.GetEntry("README.md"));
            if (id is not "SocketKit.Tool" and not "SocketKit.Templates")
            {
                Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml")); // XML docs ship with the library.
            }
        }

        string tools = Path.Combine(packed.Work, "tools");
        await RunAsync("dotnet", "tool", "install", "SocketKit.Tool", "--tool-path", tools, "--add-source", packages, "--version", Version, "--ignore-failed-sources");
        string socketkit = Path.Combine(tools, "socketkit");
        Assert.StartsWith(Version, (await RunAsync(socketkit, "--version")).Trim());
        string help = await RunAsync(socketkit, "--help");
        Assert.Contains("Usage:", help);
        Assert.Contains("tour", help);
        Assert.Contains("app-server", help);
    }

    private Task<string> RunAsync(string program, params string[] args) => PackedSolution.RunAsync(packed.Work, program, args);
}
