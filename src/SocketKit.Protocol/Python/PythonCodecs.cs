using System.Text;

namespace SocketKit.Protocol.Python;

/// <summary>
/// Python's codec registry as a content-encoding meets it: a name is normalised as CPython normalises it,
/// resolved through every module name and alias of the encodings package (generated table), and decoded
/// strictly by the .NET encoding that decodes as that Python codec does.
/// </summary>
internal static partial class PythonCodecs
{
    /// <summary>
    /// Python codec name -> .NET code page (System.Text.Encoding.CodePages), for the multi-byte codecs whose .NET
    /// encoding decodes exactly as Python's (tests/SocketKit.Tests/Protocol/PythonCodecTests.cs checks every byte and
    /// pair). .NET's cp932, cp949, cp950, gbk, euc-kr and johab decode some bytes otherwise or accept bytes Python
    /// refuses, so they are not here. The single-byte codecs decode from Python's own tables (PythonCharmaps.g.cs),
    /// the double-byte ones too (<see cref="PythonDoubleByteCodec"/>), the UTF family by Python's BOM rules.
    /// </summary>
    private static readonly Dictionary<string, int> CodePages = new(StringComparer.Ordinal)
    {
        ["gb18030"] = 54936,
    };

    private static readonly Lazy<Dictionary<string, Dictionary<char, byte>>> CharmapEncoders = new(() =>
        Charmaps.ToDictionary(m => m.Key, m =>
        {
            var encoder = new Dictionary<char, byte>();
            for (int b = 0; b < 256; b++)
            {
                if (m.Value[b] != Undefined) encoder.TryAdd(m.Value[b], (byte)b);
            }
            return encoder;
        }, StringComparer.Ordinal));

    private const char Undefined = '\uFFFE';

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf16Le = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf16Be = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly Encoding Utf32Le = new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);
    private static readonly Encoding Utf32Be = new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true);

    static PythonCodecs() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The Python codecs SocketKit decodes, by their own names.</summary>
    public static IEnumerable<string> Supported => [.. Utf, .. Charmaps.Keys, .. PythonDoubleByteCodec.Codecs.Keys, .. CodePages.Keys];

    /// <summary>Every text codec Python's registry knows here, by its own name.</summary>
    public static IEnumerable<string> PythonTextCodecs => Names.Values.Where(n => n.IsText).Select(n => n.Codec).Distinct();

    /// <summary>Every normalised name and alias of the generated table, with the codec Python resolves it to.</summary>
    public static IEnumerable<(string Name, string Codec, bool IsText)> Table => Names.Select(n => (n.Key, n.Value.Codec, n.Value.IsText));

    private static readonly string[] Utf = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"];

    /// <summary>
    /// The name as CPython normalises it before the lookup: ASCII letters lower-cased, ASCII letters, digits and '.'
    /// kept, every run of anything else (also non-ASCII) one '_', none at the start or the end.
    /// </summary>
    public static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool punctuation = false;
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '.')
            {
                if (punctuation && sb.Length > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
                punctuation = false;
            }
            else
            {
                punctuation = true;
            }
        }
        return sb.ToString();
    }

    /// <summary>The codec Python finds for <paramref name="name"/> (its own name), or null when Python knows none.</summary>
    public static string? Resolve(string name, out bool isText)
    {
        string normalized = Normalize(name);
        // encodings.search_function: an alias (also with '.' read as '_'), else a module of that very name.
        if ((Names.TryGetValue(normalized, out var entry) && entry.IsAlias)
            || (Names.TryGetValue(normalized.Replace('.', '_'), out entry) && entry.IsAlias)
            || (!normalized.Contains('.') && Names.TryGetValue(normalized, out entry)))
        {
            isText = entry.IsText;
            return entry.Codec;
        }
        isText = false;
        return null;
    }

    /// <summary>Decodes strictly, as Python's <c>bytes.decode(name)</c> does.</summary>
    /// <exception cref="ProtocolException">Python knows no such text codec, .NET lacks it, or the bytes are not valid in it.</exception>
    public static string Decode(string name, ReadOnlySpan<byte> bytes)
    {
        string codec = Find(name);
        if (Charmaps.TryGetValue(codec, out string? charmap))
        {
            return DecodeCharmap(name, charmap, bytes);
        }
        if (PythonDoubleByteCodec.Codecs.TryGetValue(codec, out PythonDoubleByteCodec? doubleByte))
        {
            return doubleByte.Decode(name, bytes);
        }
        int bomLength = 0;
        Encoding encoding = codec switch
        {
            "utf-8" => Utf8,
            "utf-8-sig" => bytes.StartsWith<byte>([0xEF, 0xBB, 0xBF]) ? Skip(3, Utf8, out bomLength) : Utf8,
            // Without a BOM Python reads its machine's order: little-endian on the reference's machine.
            "utf-16" => bytes.StartsWith<byte>([0xFE, 0xFF]) ? Skip(2, Utf16Be, out bomLength)
                : bytes.StartsWith<byte>([0xFF, 0xFE]) ? Skip(2, Utf16Le, out bomLength) : Utf16Le,
            "utf-16-le" => Utf16Le,
            "utf-16-be" => Utf16Be,
            "utf-32" => bytes.StartsWith<byte>([0x00, 0x00, 0xFE, 0xFF]) ? Skip(4, Utf32Be, out bomLength)
                : bytes.StartsWith<byte>([0xFF, 0xFE, 0x00, 0x00]) ? Skip(4, Utf32Le, out bomLength) : Utf32Le,
            "utf-32-le" => Utf32Le,
            "utf-32-be" => Utf32Be,
            _ => CodePage(codec),
        };
        try
        {
            return encoding.GetString(bytes[bomLength..]);
        }
        catch (Exception ex) when (ex is DecoderFallbackException or ArgumentException)
        {
            throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the content is not valid {name}: {ex.Message}", ex);
        }
    }

    /// <summary>Encodes strictly, as Python's <c>str.encode(name)</c> does (utf-16, utf-32 and utf-8-sig with Python's BOM).</summary>
    /// <exception cref="ProtocolException">Python knows no such text codec, .NET lacks it, or the text cannot be written in it.</exception>
    public static byte[] Encode(string name, string text)
    {
        string codec = Find(name);
        if (Charmaps.ContainsKey(codec))
        {
            return EncodeCharmap(name, CharmapEncoders.Value[codec], text);
        }
        if (PythonDoubleByteCodec.Codecs.TryGetValue(codec, out PythonDoubleByteCodec? doubleByte))
        {
            return doubleByte.Encode(name, text);
        }
        (Encoding encoding, byte[] bom) = codec switch
        {
            "utf-8" => (Utf8, []),
            "utf-8-sig" => (Utf8, [0xEF, 0xBB, 0xBF]),
            "utf-16" => (Utf16Le, [0xFF, 0xFE]),
            "utf-16-le" => (Utf16Le, []),
            "utf-16-be" => (Utf16Be, []),
            "utf-32" => (Utf32Le, [0xFF, 0xFE, 0x00, 0x00]),
            "utf-32-le" => (Utf32Le, []),
            "utf-32-be" => (Utf32Be, []),
            _ => (CodePage(codec), (byte[])[]),
        };
        try
        {
            return [.. bom, .. encoding.GetBytes(text)];
        }
        catch (Exception ex) when (ex is EncoderFallbackException or ArgumentException)
        {
            throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the text cannot be written in {name}: {ex.Message}", ex);
        }
    }

    private static string DecodeCharmap(string name, string charmap, ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, (charmap, bytes.ToArray(), name), static (chars, state) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                char c = state.charmap[state.Item2[i]];
                chars[i] = c != Undefined ? c
                    : throw new ProtocolException(ProtocolError.InvalidContentEncoding,
                        $"the content is not valid {state.name}: the byte 0x{state.Item2[i]:X2} at {i} has no character in it");
            }
        });
    }

    private static byte[] EncodeCharmap(string name, Dictionary<char, byte> encoder, string text)
    {
        byte[] bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            bytes[i] = encoder.TryGetValue(text[i], out byte b) ? b
                : throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the text cannot be written in {name}: U+{(int)text[i]:X4} at {i} has no byte in it");
        }
        return bytes;
    }

    private static Encoding Skip(int length, Encoding encoding, out int bomLength)
    {
        bomLength = length;
        return encoding;
    }

    private static Encoding CodePage(string codec) =>
        Encoding.GetEncoding(CodePages[codec], EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    // The codec's own name, once it is one both Python and SocketKit decode.
    private static string Find(string name)
    {
        // TextIOWrapper, which the reference decodes with, reads "locale" as the locale's encoding: UTF-8 on its machines.
        if (name is "locale" or "utf-8")
        {
            return "utf-8"; // "utf-8", the protocol's usual name, resolves to itself: spared the normalising lookup per message.
        }
        string? codec = Resolve(name, out bool isText);
        if (codec is null)
        {
            throw new ProtocolException(ProtocolError.UnsupportedEncoding, $"the content-encoding \"{name}\" is no codec Python knows");
        }
        if (!isText)
        {
            throw new ProtocolException(ProtocolError.UnsupportedEncoding, $"the content-encoding \"{name}\" is Python's {codec} codec, which is not a text encoding");
        }
        if (!Utf.Contains(codec) && !Charmaps.ContainsKey(codec) && !PythonDoubleByteCodec.Codecs.ContainsKey(codec) && !CodePages.ContainsKey(codec))
        {
            throw new ProtocolException(ProtocolError.UnsupportedEncoding,
                $"the content-encoding \"{name}\" is Python's {codec} codec, which SocketKit cannot decode: .NET has no encoding that decodes as it does");
        }
        return codec;
    }
}
