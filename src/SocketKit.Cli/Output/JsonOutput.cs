namespace SocketKit.Cli.Output;

/// <summary>
/// <c>--json</c>: the command's result as JSON on stdout, for scripts; events stay on stderr. One option, added to
/// every command that has it, so it reads the same everywhere. Every key is snake_case, in every command
/// (docs/JSON.md lists them).
/// </summary>
internal static class JsonOutput
{
    /// <summary>The one <c>--json</c> option.</summary>
    public static readonly Option<bool> Option = new("--json") { Description = "Print the result as JSON on stdout, for scripts (docs/JSON.md lists the keys; events stay on stderr)." };

    /// <summary>Whether this command line asks for JSON.</summary>
    public static bool IsRequested(ParseResult result) => result.GetValue(Option);

    /// <summary>Writes <paramref name="result"/> with the renderer the command line asks for: <paramref name="json"/> with --json, else <paramref name="text"/>.</summary>
    public static void Write<T>(CliContext context, ParseResult parsed, T result, IResultRenderer<T> text, IResultRenderer<T> json) =>
        context.Write((IsRequested(parsed) ? json : text).Render(result));

    /// <summary>A .NET name as a key: ConnectionRefused becomes connection_refused; words (a failure's message) stay as they are.</summary>
    public static string SnakeCase(string name) =>
        name.All(char.IsAsciiLetterOrDigit) ? JsonNamingPolicy.SnakeCaseLower.ConvertName(name) : name;
}
