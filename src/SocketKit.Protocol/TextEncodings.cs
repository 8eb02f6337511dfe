using System.Text;

namespace SocketKit.Protocol;

/// <summary>
/// The text encodings a content-encoding may name, looked up the way Python's codec registry does
/// (case, '-' and '_' do not matter; the common aliases are known). Decoding is strict: invalid bytes
/// are an error, never silently replaced.
/// </summary>
public static class TextEncodings
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf16Le = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf16Be = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf32Le = new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);
    private static readonly Encoding Utf32Be = new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true);
    private static readonly Encoding Ascii = Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    private static readonly Encoding Latin1 = Encoding.GetEncoding("iso-8859-1", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    /// <summary>The encoding names SocketKit supports, as Python spells them.</summary>
    public static IReadOnlyList<string> SupportedNames { get; } = ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "ascii", "latin-1"];

    /// <summary>True when <paramref name="name"/> is UTF-8 under any of Python's spellings.</summary>
    public static bool IsUtf8(string name) => name == ContentTypes.Utf8Encoding || Normalize(name) is "utf_8" or "utf8" or "u8" or "utf";

    /// <summary>Decodes text content named by <paramref name="name"/>.</summary>
    /// <exception cref="ProtocolException">The encoding is not supported, or the bytes are not valid in it.</exception>
    public static string Decode(string name, ReadOnlySpan<byte> bytes)
    {
        Encoding encoding = Find(name, bytes, out int bomLength);
        try
        {
            return encoding.GetString(bytes[bomLength..]);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the content is not valid {name}: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the content is not valid {name}: {ex.Message}", ex);
        }
    }

    /// <summary>Encodes text as Python's str.encode(name) does (utf-16 and utf-32 with a little-endian BOM).</summary>
    /// <exception cref="ProtocolException">The encoding is not supported, or cannot represent the text.</exception>
    public static byte[] Encode(string name, string text)
    {
        Encoding encoding = Find(name, [], out _);
        string normalized = Normalize(name);
        byte[] bom = normalized is "utf_16" or "utf16" or "u16" ? [0xFF, 0xFE]
            : normalized is "utf_32" or "utf32" or "u32" ? [0xFF, 0xFE, 0x00, 0x00]
            : [];
        try
        {
            return [.. bom, .. encoding.GetBytes(text)];
        }
        catch (EncoderFallbackException ex)
        {
            throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the text cannot be written in {name}: {ex.Message}", ex);
        }
    }

    private static Encoding Find(string name, ReadOnlySpan<byte> bytes, out int bomLength)
    {
        bomLength = 0;
        switch (Normalize(name))
        {
            case "utf_8" or "utf8" or "u8" or "utf":
                return Utf8;
            case "utf_16" or "utf16" or "u16":
                // Python reads a BOM when there is one and assumes little-endian otherwise.
                if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) { bomLength = 2; return Utf16Be; }
                if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) { bomLength = 2; }
                return Utf16Le;
            case "utf_16_le" or "utf_16le":
                return Utf16Le;
            case "utf_16_be" or "utf_16be":
                return Utf16Be;
            case "utf_32" or "utf32" or "u32":
                if (bytes.Length >= 4 && bytes[..4].SequenceEqual<byte>([0x00, 0x00, 0xFE, 0xFF])) { bomLength = 4; return Utf32Be; }
                if (bytes.Length >= 4 && bytes[..4].SequenceEqual<byte>([0xFF, 0xFE, 0x00, 0x00])) { bomLength = 4; }
                return Utf32Le;
            case "utf_32_le" or "utf_32le":
                return Utf32Le;
            case "utf_32_be" or "utf_32be":
                return Utf32Be;
            case "ascii" or "us_ascii" or "646" or "us":
                return Ascii;
            case "latin_1" or "latin1" or "latin" or "l1" or "iso_8859_1" or "iso8859_1" or "8859" or "cp819" or "iso_ir_100":
                return Latin1;
            default:
                throw new ProtocolException(ProtocolError.UnsupportedEncoding,
                    $"the content-encoding \"{name}\" is not supported; use one of {string.Join(", ", SupportedNames)}");
        }
    }

    private static string Normalize(string name) => name.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
}
