using System.Reflection;

namespace SocketKit.Tests.Packaging;

/// <summary>
/// `dotnet pack` of the whole solution, once per test run, from the build the tests run on (--no-build, so seconds):
/// the packaging tests share the packed folder instead of packing again each.
/// </summary>
public sealed class PackedSolution : IAsyncLifetime
{
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public string Work { get; } = Directory.CreateTempSubdirectory("socketkit-pack-").FullName;

    public string Packages => Path.Combine(Work, "packages");

    public static string Configuration => typeof(PackedSolution).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    public static string Version =>
        typeof(SocketServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    public async Task InitializeAsync() =>
        await RunAsync(Work, "dotnet", "pack", Path.Combine(Repository.Root, "SocketKit.slnx"), "-c", Configuration, "--no-build", "-o", Packages);

    public Task DisposeAsync()
    {
        Directory.Delete(Work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs a program to its end within <see cref="Limit"/>, failing the test with its output when it fails.</summary>
    public static async Task<string> RunAsync(string workingDirectory, string program, params string[] args) =>
        await RunAsync(workingDirectory, new Dictionary<string, string>(), program, args);

    public static async Task<string> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No MSBuild node or build server may outlive the command: one would inherit its output pipes and hold them
        // open, so the output never ends (seen where no node of an earlier build was there to be reused).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        foreach ((string name, string value) in environment) start.Environment[name] = value;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        string stdout, stderr;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            // The output ends when every process holding the pipes has closed them, which is bounded too.
            (stdout, stderr) = (await output.WaitAsync(timeout.Token), await error.WaitAsync(timeout.Token));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish, or left its output open, within {Limit}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout;
    }
}

/// <summary>The tests that share one packed solution.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<PackedSolution>
{
    public const string Name = "Packaging";
}
