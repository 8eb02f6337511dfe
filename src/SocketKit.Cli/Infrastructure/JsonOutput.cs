using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// <c>--json</c>: the command's result as one JSON object on stdout, for scripts; events stay on stderr. Every key is
/// snake_case, in every command (docs/JSON.md lists them).
/// </summary>
internal static class JsonOutput
{
    public static Option<bool> Option() => new("--json") { Description = "Print the result as one JSON object on stdout, for scripts (events stay on stderr)." };

    /// <summary>Writes one object built by <paramref name="write"/> as one line of stdout.</summary>
    public static void WriteResult(CliContext context, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        context.WriteResult(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A .NET name as a key: ConnectionRefused becomes connection_refused; words (a failure's message) stay as they are.</summary>
    public static string SnakeCase(string name) =>
        name.All(char.IsAsciiLetterOrDigit) ? JsonNamingPolicy.SnakeCaseLower.ConvertName(name) : name;
}
