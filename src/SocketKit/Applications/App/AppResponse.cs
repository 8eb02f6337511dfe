using SocketKit.Protocol.Json;

namespace SocketKit.Applications.App;

/// <summary>What a handler answers: a content type, an encoding and the content bytes.</summary>
/// <param name="ContentType">The response's content-type.</param>
/// <param name="ContentEncoding">The response's content-encoding.</param>
/// <param name="Content">The content bytes.</param>
public sealed record AppResponse(string ContentType, string ContentEncoding, ReadOnlyMemory<byte> Content)
{
    /// <summary>JSON content written with Python's rules, in UTF-8.</summary>
    public static AppResponse Json(Action<PythonJsonWriter> write) =>
        new(ContentTypes.TextJson, ContentTypes.Utf8Encoding, JsonContent.Write(write));

    /// <summary>The reference's answer shape: <c>{"result": text}</c>.</summary>
    public static AppResponse Result(string text) =>
        new(ContentTypes.TextJson, ContentTypes.Utf8Encoding, JsonContent.Write(text, static (w, text) =>
        {
            w.WriteStartObject();
            w.WriteString("result", text);
            w.WriteEndObject();
        }));

    /// <summary>Opaque bytes with the given content type and the "binary" encoding.</summary>
    public static AppResponse Binary(ReadOnlyMemory<byte> content, string contentType = ContentTypes.ServerBinary) =>
        new(contentType, ContentTypes.BinaryEncoding, content);
}
