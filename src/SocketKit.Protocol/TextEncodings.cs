using SocketKit.Protocol.Python;

namespace SocketKit.Protocol;

/// <summary>
/// The text encodings a content-encoding may name, looked up as Python's codec registry looks them up
/// (case, '-', '_' and spaces alike; every alias of Python's encodings.aliases) and decoded strictly by the
/// .NET encoding that decodes as the Python codec does: invalid bytes are an error, never silently replaced.
/// </summary>
public static class TextEncodings
{
    /// <summary>The Python codecs SocketKit decodes, by Python's own names (each also by all its aliases).</summary>
    public static IReadOnlyList<string> SupportedNames { get; } = [.. PythonCodecs.Supported];

    /// <summary>True when <paramref name="name"/> is UTF-8 under any of Python's spellings (not utf-8-sig).</summary>
    public static bool IsUtf8(string name) => name == ContentTypes.Utf8Encoding || PythonCodecs.Resolve(name, out _) == "utf-8";

    /// <summary>The codec Python resolves <paramref name="name"/> to, by its own name (<c>"UTF8"</c> is <c>utf-8</c>), or null when Python knows none.</summary>
    public static string? PythonCodecName(string name) => PythonCodecs.Resolve(name, out _);

    /// <summary>Decodes text content named by <paramref name="name"/>, as Python's <c>bytes.decode(name)</c>.</summary>
    /// <exception cref="ProtocolException">The encoding is not supported, or the bytes are not valid in it.</exception>
    public static string Decode(string name, ReadOnlySpan<byte> bytes) => PythonCodecs.Decode(name, bytes);

    /// <summary>Encodes text as Python's <c>str.encode(name)</c> does (utf-16 and utf-32 with a little-endian BOM, utf-8-sig with its BOM).</summary>
    /// <exception cref="ProtocolException">The encoding is not supported, or cannot represent the text.</exception>
    public static byte[] Encode(string name, string text) => PythonCodecs.Encode(name, text);
}
