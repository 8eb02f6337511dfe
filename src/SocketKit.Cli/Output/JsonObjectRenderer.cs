using System.Text.Encodings.Web;

namespace SocketKit.Cli.Output;

/// <summary>A <c>--json</c> renderer that writes the result as one JSON object on one line.</summary>
/// <typeparam name="T">The command's result.</typeparam>
internal abstract class JsonObjectRenderer<T> : IResultRenderer<T>
{
    /// <inheritdoc/>
    public string Render(T result)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: text a person may read too (a server's answer, a path) keeps its characters.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteProperties(json, result);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The object's properties, snake_case keys as docs/JSON.md lists them.</summary>
    protected abstract void WriteProperties(Utf8JsonWriter json, T result);
}
