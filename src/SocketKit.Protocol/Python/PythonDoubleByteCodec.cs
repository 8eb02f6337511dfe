using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SocketKit.Protocol.Python;

/// <summary>
/// One of Python's double-byte codecs (cp932, shift_jis, gbk, big5, cp949, ...) decoded from Python's own tables,
/// which scripts/generate-python-tables.py writes to PythonDoubleByteCodecs.bin only for codecs where decoding by
/// them gives exactly what Python gives: a byte is a character by itself, or leads a pair, or is refused.
/// </summary>
internal sealed class PythonDoubleByteCodec
{
    private const char NotSingle = '\uFFFF';

    private static readonly Lazy<Dictionary<string, PythonDoubleByteCodec>> All = new(Load);

    private readonly char[] _single = new char[256];
    private readonly string?[]?[] _pairs = new string?[256][];
    private readonly Lazy<Dictionary<string, byte[]>> _encoder;

    private PythonDoubleByteCodec(string name)
    {
        Name = name;
        _encoder = new Lazy<Dictionary<string, byte[]>>(BuildEncoder);
    }

    /// <summary>The codec's own Python name.</summary>
    public string Name { get; }

    /// <summary>The double-byte codecs, by Python name.</summary>
    public static IReadOnlyDictionary<string, PythonDoubleByteCodec> Codecs => All.Value;

    /// <summary>Decodes strictly: a byte that is neither a character nor the lead of a known pair is an error.</summary>
    public string Decode(string encodingName, ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (_single[b] != NotSingle)
            {
                sb.Append(_single[b]);
            }
            else if (i + 1 < bytes.Length && _pairs[b]?[bytes[i + 1]] is { } pair)
            {
                sb.Append(pair);
                i++;
            }
            else
            {
                throw new ProtocolException(ProtocolError.InvalidContentEncoding,
                    $"the content is not valid {encodingName}: the byte 0x{b:X2} at {i} {(_pairs[b] is null ? "has no character in it" : "leads no pair known to it")}");
            }
        }
        return sb.ToString();
    }

    /// <summary>Encodes each character as the bytes that decode to it (the longest match first, for pairs that decode to two characters).</summary>
    public byte[] Encode(string encodingName, string text)
    {
        Dictionary<string, byte[]> encoder = _encoder.Value;
        var bytes = new List<byte>(text.Length * 2);
        for (int i = 0; i < text.Length;)
        {
            int length = Math.Min(4, text.Length - i);
            while (length > 0 && !encoder.ContainsKey(text.Substring(i, length))) length--;
            if (length == 0)
            {
                throw new ProtocolException(ProtocolError.InvalidContentEncoding, $"the text cannot be written in {encodingName}: U+{(int)text[i]:X4} at {i} has no bytes in it");
            }
            bytes.AddRange(encoder[text.Substring(i, length)]);
            i += length;
        }
        return [.. bytes];
    }

    private Dictionary<string, byte[]> BuildEncoder()
    {
        var encoder = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            if (_single[b] != NotSingle) encoder.TryAdd(_single[b].ToString(), [(byte)b]);
        }
        for (int lead = 0; lead < 256; lead++)
        {
            for (int trail = 0; trail < 256 && _pairs[lead] is { } row; trail++)
            {
                if (row[trail] is { } text) encoder.TryAdd(text, [(byte)lead, (byte)trail]);
            }
        }
        return encoder;
    }

    // The layout scripts/generate-python-tables.py writes, little-endian, zlib-compressed: a count of codecs, then for
    // each its name, 256 single-byte characters (U+FFFF: none), and for each lead byte 256 pairs of 0 to 4 UTF-16 units.
    private static Dictionary<string, PythonDoubleByteCodec> Load()
    {
        using Stream resource = typeof(PythonDoubleByteCodec).Assembly.GetManifestResourceStream("PythonDoubleByteCodecs.bin")
            ?? throw new InvalidOperationException("the resource PythonDoubleByteCodecs.bin is missing");
        using var inflated = new ZLibStream(resource, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        inflated.CopyTo(buffer);
        ReadOnlySpan<byte> data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var codecs = new Dictionary<string, PythonDoubleByteCodec>(StringComparer.Ordinal);
        int at = 0;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);
        at += 2;
        for (int c = 0; c < count; c++)
        {
            string name = Encoding.ASCII.GetString(data.Slice(at + 1, data[at]));
            at += 1 + data[at];
            var codec = new PythonDoubleByteCodec(name);
            for (int b = 0; b < 256; b++, at += 2)
            {
                codec._single[b] = (char)BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);
            }
            int leads = BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);
            at += 2;
            for (int l = 0; l < leads; l++)
            {
                var row = new string?[256];
                codec._pairs[data[at++]] = row;
                for (int trail = 0; trail < 256; trail++)
                {
                    int units = data[at++];
                    if (units == 0) continue;
                    row[trail] = new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(data.Slice(at, units * 2)));
                    at += units * 2;
                }
            }
            codecs[name] = codec;
        }
        return codecs;
    }
}
