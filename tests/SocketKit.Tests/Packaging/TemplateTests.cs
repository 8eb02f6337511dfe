using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SocketKit.Tests.Packaging;

/// <summary>
/// `dotnet new socketkit-server` as a user meets it: the template package installed from the packed folder (into a
/// template hive of the test's own), a project made from it, built against the packed SocketKit packages, and run.
/// </summary>
[Collection(PackagingCollection.Name)]
[Tier(TestTier.Socket)]
public sealed class TemplateTests(PackedSolution packed)
{
    [Fact]
    public async Task TheTemplateMakesAServerThatBuildsFromThePackedPackagesAndServes()
    {
        string package = Path.Combine(packed.Packages, $"SocketKit.Templates.{PackedSolution.Version}.nupkg");
        using (ZipArchive zip = ZipFile.OpenRead(package))
        {
            XElement nuspec = XDocument.Load(zip.GetEntry("SocketKit.Templates.nuspec")!.Open()).Root!;
            Assert.Contains(nuspec.Descendants(nuspec.Name.Namespace + "packageType"), t => t.Attribute("name")?.Value == "Template");
            // The project the template makes asks for the SocketKit packed with it.
            using var templateProject = new StreamReader(zip.GetEntry("content/SocketKitServer/Company.Server1.csproj")!.Open());
            Assert.Contains($"<PackageReference Include=\"SocketKit.Hosting\" Version=\"{PackedSolution.Version}\" />", await templateProject.ReadToEndAsync());
        }

        string work = Path.Combine(packed.Work, "template");
        string hive = Path.Combine(work, "hive");
        Directory.CreateDirectory(work);
        await PackedSolution.RunAsync(work, "dotnet", "new", "install", package, "--debug:custom-hive", hive);
        await PackedSolution.RunAsync(work, "dotnet", "new", "socketkit-server", "-n", "Greeter", "-o", "Greeter", "--port", "0", "--debug:custom-hive", hive);
        string project = Path.Combine(work, "Greeter");
        Assert.True(File.Exists(Path.Combine(project, "Greeter.csproj")), "the project takes the name given with -n");
        Assert.Contains("\"127.0.0.1:0\"", await File.ReadAllTextAsync(Path.Combine(project, "appsettings.json")));

        // Offline apart from the registry: the packed folder first, and packages this machine already holds as a
        // fallback, while SocketKit's own are restored into a folder of this test's, never from an older run's cache.
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="socketkit-packed" value="{packed.Packages}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{globalPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "nuget-packages") };
        await PackedSolution.RunAsync(project, isolated, "dotnet", "build", "-c", "Release");

        string dll = Path.Combine(project, "bin", "Release", "net10.0", "Greeter.dll");
        // Started from another folder, as a systemd unit or a script starts it: its endpoint is appsettings.json's
        // (port 0, so the system picks), found beside the program; the request timeout in the command line's spelling.
        string elsewhere = Directory.CreateTempSubdirectory("socketkit-elsewhere-").FullName;
        using (var server = new ProgramProcess("dotnet", [dll], new Dictionary<string, string> { ["SocketKit__Servers__app__Timeouts__RequestTimeout"] = "30s" }, elsewhere))
        {
            int port = int.Parse((await server.Out.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+) \(select engine", TimeSpan.FromSeconds(30))).Groups[1].Value);
            Assert.Equal("Got result: Hello, templates!\n",
                (await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "hello", "templates", "--json-request", "-q")).Out);
            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Matches(new Regex("Stopping: no longer accepting connections on 127\\.0\\.0\\.1"), server.Out.ToString());
        }

        // A bad setting is one line naming its key, exit 1, no stack trace.
        using (var bad = new ProgramProcess("dotnet", [dll], new Dictionary<string, string> { ["SocketKit__Servers__app__Timeouts__RequestTimeout"] = "soon" }, elsewhere))
        {
            Assert.Equal(1, await bad.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("Greeter: SocketKit:Servers:app:Timeouts:RequestTimeout: 'soon' is not a duration; use 500ms, 30s, 2m or 00:00:30\n", bad.Error.ToString().ReplaceLineEndings("\n"));
            Support.Cli.AssertNoStackTrace(bad.Out.ToString());
        }
        Directory.Delete(elsewhere, recursive: true);
    }
}
