using System.Buffers;
using System.Buffers.Binary;
using SocketKit.Protocol.Json;

namespace SocketKit.Protocol;

/// <summary>Writes messages as the reference's _create_message does: protoheader, JSON header, content.</summary>
public static class MessageEncoder
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_headerScratch;

    /// <summary>Appends one message to <paramref name="output"/>. The header's ContentLength must equal the content's length.</summary>
    /// <exception cref="ArgumentException">The header does not describe the content, or is too long for the protoheader.</exception>
    public static void Write(IBufferWriter<byte> output, MessageHeader header, ReadOnlySpan<byte> content)
    {
        if (header.ContentLength != content.Length)
        {
            throw new ArgumentException($"the header says {header.ContentLength} content bytes but the content has {content.Length}", nameof(header));
        }
        ArrayBufferWriter<byte> json = s_headerScratch ??= new ArrayBufferWriter<byte>(256);
        json.ResetWrittenCount();
        WriteHeaderJson(json, header);
        if (json.WrittenCount > ProtocolLimits.WireMaxHeaderBytes)
        {
            throw new ArgumentException($"the JSON header is {json.WrittenCount:N0} bytes; the protoheader can announce at most {ProtocolLimits.WireMaxHeaderBytes:N0}", nameof(header));
        }
        int total = MessageDecoder.ProtoHeaderLength + json.WrittenCount + content.Length;
        Span<byte> span = output.GetSpan(total);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)json.WrittenCount);
        json.WrittenSpan.CopyTo(span[MessageDecoder.ProtoHeaderLength..]);
        content.CopyTo(span[(MessageDecoder.ProtoHeaderLength + json.WrittenCount)..]);
        output.Advance(total);
    }

    /// <summary>Appends one message with the given content type and encoding; the header's length is the content's.</summary>
    public static void Write(IBufferWriter<byte> output, string contentType, string contentEncoding, ReadOnlySpan<byte> content, bool keepAlive = false) =>
        Write(output, new MessageHeader(contentType, contentEncoding, content.Length) { KeepAlive = keepAlive }, content);

    /// <summary>Returns one message as a new array.</summary>
    public static byte[] Encode(MessageHeader header, ReadOnlySpan<byte> content)
    {
        var buffer = new ArrayBufferWriter<byte>(content.Length + 128);
        Write(buffer, header, content);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteHeaderJson(IBufferWriter<byte> output, MessageHeader header)
    {
        if (header.Extra.Count == 0 && IsPlainAscii(header.ByteOrder) && IsPlainAscii(header.ContentType) && IsPlainAscii(header.ContentEncoding))
        {
            // json.dumps writes printable ASCII without quote or backslash as it is, so nearly every header can be
            // written straight out: the same bytes, without building a writer per message.
            Append(output, "{\"byteorder\": \""u8);
            AppendAscii(output, header.ByteOrder);
            Append(output, "\", \"content-type\": \""u8);
            AppendAscii(output, header.ContentType);
            Append(output, "\", \"content-encoding\": \""u8);
            AppendAscii(output, header.ContentEncoding);
            Append(output, "\", \"content-length\": "u8);
            Span<byte> number = output.GetSpan(11);
            header.ContentLength.TryFormat(number, out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
            output.Advance(digits);
            Append(output, header.KeepAlive ? ", \"keep-alive\": true}"u8 : "}"u8);
            return;
        }
        var writer = new PythonJsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("byteorder", header.ByteOrder);
        writer.WriteString("content-type", header.ContentType);
        writer.WriteString("content-encoding", header.ContentEncoding);
        writer.WriteNumber("content-length", header.ContentLength);
        if (header.KeepAlive)
        {
            writer.WriteBoolean("keep-alive", true);
        }
        foreach ((string key, string value) in header.Extra)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    private static bool IsPlainAscii(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                return false;
            }
        }
        return true;
    }

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void AppendAscii(IBufferWriter<byte> output, string value)
    {
        Span<byte> span = output.GetSpan(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            span[i] = (byte)value[i];
        }
        output.Advance(value.Length);
    }
}
