namespace SocketKit.Protocol;

/// <summary>The JSON header of one message: the four keys of PROTOCOL.md and the keep-alive extension.</summary>
/// <param name="ContentType">"text/json", or any other type for opaque bytes.</param>
/// <param name="ContentEncoding">The text encoding of text/json content, or "binary".</param>
/// <param name="ContentLength">The number of content bytes that follow the header.</param>
public sealed record MessageHeader(string ContentType, string ContentEncoding, int ContentLength)
{
    /// <summary>"little" or "big": the byte order of the machine that wrote the message (informational).</summary>
    public string ByteOrder { get; init; } = NativeByteOrder;

    /// <summary>The extension key "keep-alive": true asks for (or, in a response, grants) another request on the connection.</summary>
    public bool KeepAlive { get; init; }

    /// <summary>
    /// Further keys of the JSON header, written after the others in this order, each with a string value (a client's
    /// own extensions, such as a trace id). Empty by default; not read back by the decoder.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    /// <summary>This machine's byte order, as Python's sys.byteorder names it.</summary>
    public static string NativeByteOrder { get; } = BitConverter.IsLittleEndian ? "little" : "big";

    /// <summary>True for JSON content.</summary>
    public bool IsJson => ContentType == ContentTypes.TextJson;
}
