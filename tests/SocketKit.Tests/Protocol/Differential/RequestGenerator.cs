using System.Globalization;
using SocketKit.Protocol.Python;

namespace SocketKit.Tests.Protocol.Differential;

/// <summary>One generated request: the header's content type and encoding, and the content bytes.</summary>
public sealed record GeneratedRequest(string ContentType, string ContentEncoding, byte[] Content, string Description)
{
    public byte[] Encode() => MessageEncoder.Encode(new MessageHeader(ContentType, ContentEncoding, Content.Length), Content);
}

/// <summary>
/// A seeded generator of varied requests for the differential test: every JSON value type, nested lists and
/// objects, strings from every code-point range (controls, C1, Latin-1, the BMP, lone surrogates, outside the BMP,
/// unassigned, private use, format characters), every codec name and alias SocketKit decodes in many spellings,
/// JSON spellings (white space, escapes, NaN, Infinity, exponents, duplicate keys, integers of any length),
/// malformed and undecodable content, and binary content.
/// </summary>
public sealed class RequestGenerator
{
    private static readonly string[] TableKeys = ["morpheus", "ring", "\U0001F436"];

    private static readonly int[] Interesting =
    [
        0x20, 0x27, 0x22, 0x5C, 0x7F, 0x80, 0x9F, 0xA0, 0xAD, 0xFF, 0x100, 0x378, 0x600, 0x61C, 0x85, 0x2000, 0x200B, 0x2028, 0x2029,
        0x3000, 0xE000, 0xF8FF, 0xFEFF, 0xFFFE, 0xFFFF, 0x1F430, 0x1F436, 0x1F6DC, 0x1FAE8, 0x11F00, 0x1D173, 0xE0001, 0xF0000, 0x10FFFF,
    ];

    private static readonly string[] Malformed =
    [
        "", " ", "{", "}", "{'action': 'search'}", "[1,]", "{\"action\": \"search\",}", "NaNx", "-", "01", "1.", ".5", "+1", "nan",
        "\"\\x41\"", "{\"action\" \"search\"}", "{\"action\": \"sea\nrch\"}", "[\"\\ud800\\u12\"]", "tru", "nul", "-Infinit", "[1 2]",
        "{\"a\":1}{}", "\"abc", "[[[]]", "{1: 2}", "\u00A0{}", "{}\u000B", "-NaN", "1e", "1e+", "0x10", "Infinity1",
    ];

    private readonly Random _rng;
    private readonly (string Name, string Codec)[] _codecNames;
    private readonly string[] _unusableNames;

    public RequestGenerator(int seed)
    {
        _rng = new Random(seed);
        HashSet<string> supported = [.. TextEncodings.SupportedNames];
        _codecNames = [.. PythonCodecs.Table.Where(t => t.IsText && supported.Contains(t.Codec)).Select(t => (t.Name, t.Codec)).OrderBy(t => t.Name, StringComparer.Ordinal)];
        // Names of codecs that are no text encoding, and names Python does not know: the reference raises on both.
        _unusableNames = [.. PythonCodecs.Table.Where(t => !t.IsText).Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), "utf-9", "ebcdic", "", "utf.8", "latin.1", "no such codec"];
    }

    public IEnumerable<GeneratedRequest> Generate(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    public GeneratedRequest Next()
    {
        int kind = _rng.Next(100);
        if (kind < 6)
        {
            string type = Pick("binary/custom-client-binary-type", "text/plain", "application/octet-stream", "text/JSON", "text/json ", "");
            byte[] content = Bytes(_rng.Next(0, 24));
            return new GeneratedRequest(type, Pick("binary", "utf-8", "x"), content, "binary");
        }
        string text = kind switch
        {
            < 10 => Malformed[_rng.Next(Malformed.Length)],
            < 14 => Corrupt(ObjectText()),
            < 18 => Ws() + Value(0) + Ws(),
            < 20 => "\uFEFF" + ObjectText(),
            _ => ObjectText(),
        };
        string encoding;
        byte[] bytes;
        if (kind < 22 && _rng.Next(3) == 0)
        {
            encoding = _unusableNames[_rng.Next(_unusableNames.Length)];
            bytes = System.Text.Encoding.UTF8.GetBytes(AsciiEscaped(text));
        }
        else
        {
            encoding = Encoding();
            bytes = EncodeText(text, ref encoding);
        }
        if (_rng.Next(40) == 0 && bytes.Length > 0)
        {
            bytes[_rng.Next(bytes.Length)] = (byte)_rng.Next(256); // Perhaps no longer valid in its encoding.
        }
        return new GeneratedRequest(ContentTypes.TextJson, encoding, bytes, text);
    }

    /// <summary>A response as a server may send it: {"result": any value} (now and then other keys, or none), or binary content.</summary>
    public GeneratedRequest NextResponse()
    {
        if (_rng.Next(10) == 0)
        {
            return new GeneratedRequest(ContentTypes.ServerBinary, "binary", Bytes(_rng.Next(0, 40)), "binary");
        }
        var pairs = new List<(string Key, string Value)>();
        if (_rng.Next(10) != 0) pairs.Add(("result", _rng.Next(3) == 0 ? String(RandomString()) : Value(1)));
        if (_rng.Next(5) == 0) pairs.Add((RandomString(), Value(1)));
        string text = Ws() + Object(pairs) + Ws();
        string encoding = Encoding();
        return new GeneratedRequest(ContentTypes.TextJson, encoding, EncodeText(text, ref encoding), text);
    }

    private byte[] EncodeText(string text, ref string encoding)
    {
        foreach (string candidate in new[] { text, AsciiEscaped(text) })
        {
            try
            {
                return TextEncodings.Encode(encoding, candidate);
            }
            catch (ProtocolException)
            {
                // Not representable in that codec (or no codec SocketKit writes): try the ASCII spelling, then UTF-8.
            }
        }
        encoding = "utf-8";
        return System.Text.Encoding.UTF8.GetBytes(AsciiEscaped(text));
    }

    // Non-ASCII occurs only inside strings here, so escaping it keeps the JSON the same value.
    private static string AsciiEscaped(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c < 0x80) sb.Append(c);
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return sb.ToString();
    }

    private string Encoding()
    {
        (string name, string codec) = _rng.Next(3) == 0
            ? _codecNames.Where(n => n.Codec.StartsWith("utf", StringComparison.Ordinal)).ElementAt(_rng.Next(_codecNames.Count(n => n.Codec.StartsWith("utf", StringComparison.Ordinal))))
            : _codecNames[_rng.Next(_codecNames.Length)];
        _ = codec;
        return _rng.Next(3) == 0 ? Respell(name) : name;
    }

    // Spellings Python's lookup reads alike: case, '-', ' ' and runs of punctuation for '_', around it too.
    private string Respell(string name)
    {
        var sb = new StringBuilder();
        if (_rng.Next(5) == 0) sb.Append(Pick(" ", "-", "__", "\t"));
        foreach (char c in name)
        {
            if (c == '_') sb.Append(Pick("-", " ", "_", "--", " - ", "é"));
            else sb.Append(_rng.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
        }
        if (_rng.Next(5) == 0) sb.Append(Pick(" ", "-", "_"));
        return sb.ToString();
    }

    private string ObjectText()
    {
        var pairs = new List<(string Key, string Value)>();
        int action = _rng.Next(100);
        if (action < 65) pairs.Add(("action", String("search")));
        else if (action < 75) pairs.Add(("action", String(Pick("Search", "find", "search ", "", "None", "'search'"))));
        else if (action < 92) pairs.Add(("action", Value(1)));
        if (_rng.Next(20) != 0)
        {
            pairs.Add(("value", _rng.Next(4) == 0 ? String(TableKeys[_rng.Next(TableKeys.Length)]) : Value(1)));
        }
        for (int extra = _rng.Next(-2, 3); extra > 0; extra--)
        {
            pairs.Add((RandomString(), Value(1)));
        }
        if (_rng.Next(10) == 0 && pairs.Count > 0)
        {
            pairs.Add((pairs[_rng.Next(pairs.Count)].Key, Value(1))); // A duplicate key: the last wins.
        }
        Shuffle(pairs);
        return Ws() + Object(pairs) + Ws();
    }

    private string Object(List<(string Key, string Value)> pairs)
    {
        var sb = new StringBuilder("{").Append(Ws());
        for (int i = 0; i < pairs.Count; i++)
        {
            if (i > 0) sb.Append(',').Append(Ws());
            sb.Append(String(pairs[i].Key)).Append(Ws()).Append(':').Append(Ws()).Append(pairs[i].Value).Append(Ws());
        }
        return sb.Append('}').ToString();
    }

    private string Value(int depth)
    {
        int kind = _rng.Next(depth >= 6 ? 7 : 10);
        switch (kind)
        {
            case 0: return "null";
            case 1: return _rng.Next(2) == 0 ? "true" : "false";
            case 2: return Integer();
            case 3 or 4: return Float();
            case 5 or 6: return String(RandomString());
            case 7 or 8:
                {
                    var sb = new StringBuilder("[").Append(Ws());
                    for (int i = 0, n = _rng.Next(0, 4); i < n; i++)
                    {
                        if (i > 0) sb.Append(',').Append(Ws());
                        sb.Append(Value(depth + 1)).Append(Ws());
                    }
                    return sb.Append(']').ToString();
                }
            default:
                {
                    var pairs = new List<(string, string)>();
                    for (int i = 0, n = _rng.Next(0, 4); i < n; i++) pairs.Add((RandomString(), Value(depth + 1)));
                    if (pairs.Count > 0 && _rng.Next(5) == 0) pairs.Add((pairs[0].Item1, Value(depth + 1)));
                    return Object(pairs);
                }
        }
    }

    private string Integer() => _rng.Next(12) switch
    {
        0 => "-0",
        1 => "0",
        2 => Digits(_rng.Next(17, 60)),
        3 => "-" + Digits(_rng.Next(17, 400)),
        4 when _rng.Next(20) == 0 => Digits(PythonJsonReader.MaxIntegerDigits + _rng.Next(-1, 2)),
        5 => _rng.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        _ => _rng.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
    };

    private string Digits(int count)
    {
        var sb = new StringBuilder(count);
        sb.Append((char)('1' + _rng.Next(9)));
        while (sb.Length < count) sb.Append((char)('0' + _rng.Next(10)));
        return sb.ToString();
    }

    private string Float()
    {
        switch (_rng.Next(8))
        {
            case 0:
                return Pick("NaN", "Infinity", "-Infinity", "1e400", "-1E400", "1e-400", "-1e-400", "-0.0", "0.0", "1E2", "1e+16", "1e16", "9999999999999998.0",
                    "1e15", "0.0001", "0.00001", "123456789012345678901234567890.5", "2.5e-324", "1.7976931348623157e308", "1.7976931348623159e308", "0.1", "1E-5",
                    "1e999999999999999999", "0e99999999999999999999", "-1.5e-99999999999999999999", "0.000000000000000000000000000000000000000000001e45");
            case 1 or 2:
                {
                    double d = BitConverter.Int64BitsToDouble(_rng.NextInt64());
                    return double.IsFinite(d) ? Spelled(d.ToString("R", CultureInfo.InvariantCulture)) : "-0.0";
                }
            case 3:
                return Spelled((_rng.Next(-100000, 100000) / Math.Pow(10, _rng.Next(0, 12))).ToString("R", CultureInfo.InvariantCulture));
            case 4:
                return $"{_rng.Next(-99, 100)}.{_rng.Next(0, 1000)}{Pick("", "e", "E", "e+", "e-", "E-")}{(_rng.Next(2) == 0 ? "" : _rng.Next(0, 30).ToString(CultureInfo.InvariantCulture))}"
                    is var s && (s.EndsWith('e') || s.EndsWith('E') || s.EndsWith('+') || s.EndsWith('-')) ? s + "1" : s;
            default:
                return Spelled((_rng.NextDouble() * Math.Pow(10, _rng.Next(-20, 25))).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    // .NET's shortest round-trip text as JSON may spell it: always a float, 'E' or 'e', with or without '+'.
    private string Spelled(string r)
    {
        if (!r.Contains('.') && !r.Contains('E')) r += ".0";
        if (_rng.Next(2) == 0) r = r.Replace('E', 'e');
        if (_rng.Next(2) == 0) r = r.Replace("+", "", StringComparison.Ordinal);
        return r;
    }

    private string RandomString()
    {
        int length = _rng.Next(0, 10);
        int range = _rng.Next(9);
        var sb = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            int cp = (_rng.Next(3) == 0 ? _rng.Next(9) : range) switch
            {
                0 => _rng.Next(0x20, 0x7F),
                1 => _rng.Next(2) == 0 ? _rng.Next(0, 0x20) : 0x7F,
                2 => _rng.Next(0x80, 0x100),
                3 => _rng.Next(0x100, 0x10000),
                4 => _rng.Next(0xD800, 0xE000),
                5 => _rng.Next(0x10000, 0x110000),
                6 => Interesting[_rng.Next(Interesting.Length)],
                7 => "'\"\\"[_rng.Next(3)],
                _ => _rng.Next(0x20, 0x7F),
            };
            if (cp > 0xFFFF) sb.Append(char.ConvertFromUtf32(cp));
            else sb.Append((char)cp);
        }
        return sb.ToString();
    }

    /// <summary>A JSON string: what must be escaped is, the rest is raw or escaped at random (\u in either case, \/).</summary>
    private string String(string value)
    {
        var sb = new StringBuilder("\"");
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            bool escape = c < 0x20 || c == '"' || c == '\\' || (char.IsSurrogate(c) && !pair) || _rng.Next(12) == 0;
            if (!escape)
            {
                sb.Append(c);
                if (pair) sb.Append(value[++i]);
                continue;
            }
            switch (c)
            {
                case '"' when _rng.Next(2) == 0: sb.Append("\\\""); break;
                case '\\' when _rng.Next(2) == 0: sb.Append("\\\\"); break;
                case '\n' when _rng.Next(2) == 0: sb.Append("\\n"); break;
                case '\t' when _rng.Next(2) == 0: sb.Append("\\t"); break;
                case '/': sb.Append("\\/"); break;
                default:
                    sb.Append(Hex(c));
                    if (pair) sb.Append(Hex(value[++i]));
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private string Hex(char c) => _rng.Next(2) == 0 ? $"\\u{(int)c:x4}" : $"\\u{(int)c:X4}";

    private string Corrupt(string text)
    {
        if (text.Length == 0) return "{";
        int at = _rng.Next(text.Length);
        return _rng.Next(3) switch
        {
            0 => text[..at],
            1 => text.Insert(at, Pick(",", "]", "}", "\"", "\\", "\u0001", "x", "{")),
            _ => text.Remove(at, 1),
        };
    }

    private string Ws() => _rng.Next(10) switch
    {
        < 5 => "",
        < 8 => " ",
        8 => Pick("\t", "\n", "\r\n", "  "),
        _ => Pick(" \t\r\n", "\n  ", "\r"),
    };

    private byte[] Bytes(int count)
    {
        byte[] bytes = new byte[count];
        _rng.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(params T[] choices) => choices[_rng.Next(choices.Length)];

    private void Shuffle<T>(List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = _rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
