using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using SocketKit.Protocol.Json;
using SocketKit.Protocol.Python;

namespace SocketKit.Protocol;

/// <summary>Reads and writes text/json content in its declared encoding, as the reference's _json_decode and _json_encode do.</summary>
public static class JsonContent
{
    /// <summary>Parses the content of a text/json message. The caller disposes the document.</summary>
    /// <exception cref="ProtocolException">The encoding is unsupported, the bytes are not valid in it, or the text is not JSON.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> content, string encoding, ProtocolLimits? limits = null)
    {
        limits ??= ProtocolLimits.Default;
        var options = new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth };
        try
        {
            if (TextEncodings.IsUtf8(encoding))
            {
                if (!Utf8.IsValid(content.Span))
                {
                    throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the content is not valid {encoding}");
                }
                return JsonDocument.Parse(content, options);
            }
            return JsonDocument.Parse(TextEncodings.Decode(encoding, content.Span), options);
        }
        catch (JsonException ex)
        {
            bool tooDeep = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase);
            throw tooDeep
                ? new ProtocolException(ProtocolError.NestingTooDeep, $"the JSON content nests deeper than {limits.MaxJsonDepth} levels", ex)
                : new ProtocolException(ProtocolError.InvalidContentJson, $"the content is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Parses the content of a text/json message as the reference does: decoded with the Python codec the
    /// encoding names, then read by Python's json rules (NaN, Infinity, integers of any length, ...).
    /// </summary>
    /// <exception cref="ProtocolException">The encoding is unsupported, the bytes are not valid in it, the text is not JSON
    /// as Python reads it, or it nests deeper than <see cref="ProtocolLimits.MaxJsonDepth"/>.</exception>
    public static PythonValue ParsePython(ReadOnlySpan<byte> content, string encoding, ProtocolLimits? limits = null) =>
        PythonJsonReader.Parse(TextEncodings.Decode(encoding, content), limits);

    /// <summary>Writes JSON content with <paramref name="write"/> and returns it encoded in <paramref name="encoding"/>.</summary>
    public static byte[] Write(Action<PythonJsonWriter> write, string encoding = ContentTypes.Utf8Encoding) =>
        Write(write, static (w, write) => write(w), encoding);

    /// <summary>As <see cref="Write(Action{PythonJsonWriter}, string)"/>, with the writer's state passed in rather than captured.</summary>
    public static byte[] Write<TState>(TState state, Action<PythonJsonWriter, TState> write, string encoding = ContentTypes.Utf8Encoding)
    {
        // The thread's scratch buffer, taken while in use: a write within a write gets a buffer of its own.
        ArrayBufferWriter<byte> buffer = t_scratch ?? new ArrayBufferWriter<byte>(256);
        t_scratch = null;
        try
        {
            write(new PythonJsonWriter(buffer), state);
            return TextEncodings.IsUtf8(encoding)
                ? buffer.WrittenSpan.ToArray()
                : TextEncodings.Encode(encoding, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        finally
        {
            if (buffer.Capacity <= ScratchKept)
            {
                buffer.ResetWrittenCount();
                t_scratch = buffer;
            }
        }
    }

    // A response's JSON is written into a buffer kept per thread and then copied out at its size, rather than into a
    // new growing buffer each time; one that grew past this is left to the collector.
    private const int ScratchKept = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Returns a parsed JSON value written back as Python would write it (UTF-8).</summary>
    public static string ToPythonJson(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        new PythonJsonWriter(buffer).WriteValue(element);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
