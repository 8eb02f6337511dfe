using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace SocketKit.Protocol.Json;

/// <summary>
/// Writes JSON byte for byte as Python's <c>json.dumps(obj, ensure_ascii=False).encode("utf-8")</c>:
/// ", " and ": " separators, non-ASCII raw (also outside the BMP), and only <c>"</c>, <c>\</c> and
/// control characters escaped. The framework's JSON writers escape more, so they cannot be used here.
/// </summary>
public sealed class PythonJsonWriter
{
    private readonly IBufferWriter<byte> _output;
    // One bit a nesting level, set once that container has its first member: the first 64 levels in a word (a writer
    // per message, so no list for the usual shallow JSON), deeper ones in a list made when needed.
    private ulong _hasMembers;
    private List<bool>? _deeperHasMembers;
    private int _depth;
    private bool _afterPropertyName;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    public PythonJsonWriter(IBufferWriter<byte> output) => _output = output;

    /// <summary>Writes <c>{</c>.</summary>
    public void WriteStartObject() { BeginValue(); WriteRaw((byte)'{'); Enter(); }

    /// <summary>Writes <c>}</c>.</summary>
    public void WriteEndObject() { Leave(); WriteRaw((byte)'}'); }

    /// <summary>Writes <c>[</c>.</summary>
    public void WriteStartArray() { BeginValue(); WriteRaw((byte)'['); Enter(); }

    /// <summary>Writes <c>]</c>.</summary>
    public void WriteEndArray() { Leave(); WriteRaw((byte)']'); }

    /// <summary>Writes an object key and the <c>": "</c> after it.</summary>
    public void WritePropertyName(ReadOnlySpan<char> name)
    {
        BeginValue();
        WriteQuoted(name);
        WriteRaw(": "u8);
        _afterPropertyName = true;
    }

    /// <summary>Writes a string value.</summary>
    public void WriteStringValue(ReadOnlySpan<char> value) { BeginValue(); WriteQuoted(value); }

    /// <summary>Writes an integer value.</summary>
    public void WriteNumberValue(long value)
    {
        BeginValue();
        Span<byte> span = _output.GetSpan(20);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        _output.Advance(written);
    }

    /// <summary>Writes a float value as Python's repr does (<c>1.0</c>, <c>1e+16</c>, <c>NaN</c>).</summary>
    public void WriteNumberValue(double value) { BeginValue(); WriteAscii(PythonFloat.Format(value)); }

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public void WriteBooleanValue(bool value) { BeginValue(); WriteRaw(value ? "true"u8 : "false"u8); }

    /// <summary>Writes <c>null</c>.</summary>
    public void WriteNullValue() { BeginValue(); WriteRaw("null"u8); }

    /// <summary>Writes a key and a string value.</summary>
    public void WriteString(ReadOnlySpan<char> name, ReadOnlySpan<char> value) { WritePropertyName(name); WriteStringValue(value); }

    /// <summary>Writes a key and an integer value.</summary>
    public void WriteNumber(ReadOnlySpan<char> name, long value) { WritePropertyName(name); WriteNumberValue(value); }

    /// <summary>Writes a key and a boolean value.</summary>
    public void WriteBoolean(ReadOnlySpan<char> name, bool value) { WritePropertyName(name); WriteBooleanValue(value); }

    /// <summary>Writes a parsed JSON value as Python would write it back after json.loads.</summary>
    public void WriteValue(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteStartObject();
                foreach ((string name, JsonElement value) in PythonDictOrder(element))
                {
                    WritePropertyName(name);
                    WriteValue(value);
                }
                WriteEndObject();
                break;
            case JsonValueKind.Array:
                WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteValue(item);
                }
                WriteEndArray();
                break;
            case JsonValueKind.String:
                WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                WriteNumber(element.GetRawText());
                break;
            case JsonValueKind.True:
                WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                WriteBooleanValue(false);
                break;
            default:
                WriteNullValue();
                break;
        }
    }

    /// <summary>A repeated key keeps its first position and its last value, as it does in the dict json.loads builds.</summary>
    private static List<(string Name, JsonElement Value)> PythonDictOrder(JsonElement element)
    {
        var members = new List<(string Name, JsonElement Value)>();
        Dictionary<string, int>? index = null;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            index ??= new Dictionary<string, int>(StringComparer.Ordinal);
            if (index.TryGetValue(property.Name, out int at))
            {
                members[at] = (property.Name, property.Value);
            }
            else
            {
                index[property.Name] = members.Count;
                members.Add((property.Name, property.Value));
            }
        }
        return members;
    }

    private void WriteNumber(string raw)
    {
        // Python keeps integers exact at any size and turns everything else into a float.
        if (raw.AsSpan().IndexOfAny(".eE") < 0)
        {
            BeginValue();
            WriteAscii(BigInteger.Parse(raw, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            WriteNumberValue(double.Parse(raw, CultureInfo.InvariantCulture));
        }
    }

    private void BeginValue()
    {
        if (_afterPropertyName)
        {
            _afterPropertyName = false;
            return;
        }
        int level = _depth - 1;
        if (level < 0)
        {
            return;
        }
        if (level < 64)
        {
            ulong bit = 1UL << level;
            if ((_hasMembers & bit) != 0)
            {
                WriteRaw(", "u8);
            }
            _hasMembers |= bit;
            return;
        }
        List<bool> deeper = _deeperHasMembers!;
        if (deeper[level - 64])
        {
            WriteRaw(", "u8);
        }
        deeper[level - 64] = true;
    }

    private void Enter()
    {
        int level = _depth++;
        if (level < 64)
        {
            _hasMembers &= ~(1UL << level);
            return;
        }
        _deeperHasMembers ??= [];
        _deeperHasMembers.Add(false);
    }

    private void Leave()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("there is no object or array to end");
        }
        int level = --_depth;
        if (level >= 64)
        {
            _deeperHasMembers!.RemoveAt(_deeperHasMembers.Count - 1);
        }
    }

    private void WriteQuoted(ReadOnlySpan<char> text)
    {
        WriteRaw((byte)'"');
        int runStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c))
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++; // A valid pair is written raw as four UTF-8 bytes.
                continue;
            }
            WriteUtf8(text[runStart..i]);
            WriteEscape(c);
            runStart = i + 1;
        }
        WriteUtf8(text[runStart..]);
        WriteRaw((byte)'"');
    }

    private void WriteEscape(char c)
    {
        switch (c)
        {
            case '"': WriteRaw("\\\""u8); break;
            case '\\': WriteRaw("\\\\"u8); break;
            case '\b': WriteRaw("\\b"u8); break;
            case '\f': WriteRaw("\\f"u8); break;
            case '\n': WriteRaw("\\n"u8); break;
            case '\r': WriteRaw("\\r"u8); break;
            case '\t': WriteRaw("\\t"u8); break;
            default:
                // Control characters, and lone surrogates, which UTF-8 cannot carry (Python would fail to encode them).
                WriteAscii(string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
                break;
        }
    }

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }
        Span<byte> span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private void WriteAscii(string text)
    {
        Span<byte> span = _output.GetSpan(text.Length);
        _output.Advance(Encoding.ASCII.GetBytes(text, span));
    }

    private void WriteRaw(byte b)
    {
        _output.GetSpan(1)[0] = b;
        _output.Advance(1);
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }
}
