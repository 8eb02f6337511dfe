using System.CommandLine.Completions;

namespace SocketKit.Cli.CommandHost;

/// <summary>
/// Tab completion through dotnet-suggest: it runs <c>socketkit [suggest:POSITION] "COMMAND LINE"</c> and reads one
/// completion per line. System.CommandLine's own directive lives on RootCommand, whose name is the assembly's
/// (SocketKit.Cli), so socketkit answers the directive itself with the same parser.
/// </summary>
internal static class Completions
{
    private const string Directive = "[suggest";

    public static bool IsRequest(string[] args) => args.Length > 0 && args[0].StartsWith(Directive, StringComparison.Ordinal) && args[0].EndsWith(']');

    public static int Write(Command root, string[] args, TextWriter output)
    {
        string line = args.Length > 1 ? args[1] : "";
        string inner = args[0][Directive.Length..^1];
        int position = inner.StartsWith(':') && int.TryParse(inner[1..], out int p) ? Math.Clamp(p, 0, line.Length) : line.Length;
        // dotnet-suggest passes the whole line, program name first; the parser wants what follows it.
        string programName = line.Split(' ', 2)[0];
        if (programName.Length > 0 && Path.GetFileNameWithoutExtension(programName).Equals(root.Name, StringComparison.OrdinalIgnoreCase))
        {
            int skip = Math.Min(line.Length, programName.Length + 1);
            line = line[skip..];
            position = Math.Max(0, position - skip);
        }
        foreach (CompletionItem item in root.Parse(line).GetCompletions(position))
        {
            output.WriteLine(item.Label);
        }
        return ExitCodes.Success;
    }
}
