using System.CommandLine.Invocation;
using System.Reflection;

namespace SocketKit.Cli.CommandHost;

/// <summary>
/// --version: socketkit's own version, read from this assembly rather than the entry assembly (which is a test
/// host when the command line runs in-process), so what it prints is the version that was packed.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Version { get; } =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return ExitCodes.Success;
    }
}
