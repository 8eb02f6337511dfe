using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace SocketKit.Protocol;

/// <summary>Reads and validates a JSON header, as the reference's process_jsonheader does and stricter.</summary>
internal static class MessageHeaderParser
{
    private const int StackCopyBytes = 512;

    public static MessageHeader Parse(ReadOnlySequence<byte> headerBytes, ProtocolLimits limits)
    {
        if (headerBytes.IsSingleSegment)
        {
            return Parse(headerBytes.FirstSpan, limits);
        }
        int length = (int)headerBytes.Length;
        byte[]? rented = length > StackCopyBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> copy = rented is null ? stackalloc byte[StackCopyBytes] : rented;
        copy = copy[..length];
        headerBytes.CopyTo(copy);
        try
        {
            return Parse(copy, limits);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static MessageHeader Parse(ReadOnlySpan<byte> json, ProtocolLimits limits)
    {
        if (!Utf8.IsValid(json))
        {
            throw new ProtocolException(ProtocolError.HeaderNotUtf8, "the JSON header is not valid UTF-8");
        }
        // The reader's own depth limit is set one past ours so that our check, with its clearer error, fires first.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth + 1 });
        try
        {
            return ReadObject(ref reader, limits);
        }
        catch (JsonException ex)
        {
            throw new ProtocolException(ProtocolError.InvalidHeaderJson,
                $"the JSON header is not valid JSON (at byte {ex.BytePositionInLine ?? reader.BytesConsumed}): {WithoutPosition(ex.Message)}", ex);
        }
    }

    /// <summary>The reader's message without its " LineNumber: 0 | BytePositionInLine: 0." tail: the position is said once, in bytes.</summary>
    private static string WithoutPosition(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at < 0 ? message : message[..at]).TrimEnd('.', ' ');
    }

    private static MessageHeader ReadObject(ref Utf8JsonReader reader, ProtocolLimits limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ProtocolException(ProtocolError.HeaderNotObject, $"the JSON header must be an object, not {Describe(reader.TokenType)}");
        }
        string? byteOrder = null, contentType = null, contentEncoding = null;
        long contentLength = -1;
        bool keepAlive = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Later duplicates win, as they do for Python's json.loads.
            if (reader.ValueTextEquals("byteorder"u8))
            {
                byteOrder = ReadString(ref reader, "byteorder");
                if (byteOrder is not ("little" or "big"))
                {
                    throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'byteorder' must be \"little\" or \"big\", not \"{byteOrder}\"");
                }
            }
            else if (reader.ValueTextEquals("content-type"u8))
            {
                contentType = ReadString(ref reader, "content-type");
            }
            else if (reader.ValueTextEquals("content-encoding"u8))
            {
                contentEncoding = ReadString(ref reader, "content-encoding");
            }
            else if (reader.ValueTextEquals("content-length"u8))
            {
                contentLength = ReadContentLength(ref reader, limits);
            }
            else if (reader.ValueTextEquals("keep-alive"u8))
            {
                reader.Read();
                keepAlive = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'keep-alive' must be true or false, not {Describe(reader.TokenType)}"),
                };
            }
            else
            {
                reader.Read();
                SkipValue(ref reader, limits);
            }
        }
        // Utf8JsonReader rejects anything after the closing brace itself, as a JsonException.
        while (reader.Read())
        {
        }
        // Checked in the reference's order, so both name the same missing key first.
        string? missing = byteOrder is null ? "byteorder"
            : contentLength < 0 ? "content-length"
            : contentType is null ? "content-type"
            : contentEncoding is null ? "content-encoding"
            : null;
        if (missing is not null)
        {
            throw new ProtocolException(ProtocolError.MissingHeaderKey, $"the JSON header lacks the required key '{missing}'");
        }
        return new MessageHeader(contentType!, contentEncoding!, (int)contentLength) { ByteOrder = byteOrder!, KeepAlive = keepAlive };
    }

    private static string ReadString(ref Utf8JsonReader reader, string key)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'{key}' must be a string, not {Describe(reader.TokenType)}");
        }
        return KnownStrings.Get(ref reader);
    }

    private static long ReadContentLength(ref Utf8JsonReader reader, ProtocolLimits limits)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'content-length' must be a non-negative integer, not {Describe(reader.TokenType)}");
        }
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        bool isInteger = raw.IndexOfAny(".eE"u8) < 0;
        if (!isInteger)
        {
            throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'content-length' must be a non-negative integer, not {System.Text.Encoding.UTF8.GetString(raw)}");
        }
        if (raw[0] == (byte)'-')
        {
            throw new ProtocolException(ProtocolError.InvalidHeaderValue, $"'content-length' must not be negative: {System.Text.Encoding.UTF8.GetString(raw)}");
        }
        // An integer too long for a long is certainly over the limit.
        if (!reader.TryGetInt64(out long length) || length > limits.MaxContentBytes)
        {
            throw new ProtocolException(ProtocolError.ContentTooLarge,
                $"the header declares {System.Text.Encoding.UTF8.GetString(raw)} content bytes; the limit is {limits.MaxContentBytes:N0} bytes");
        }
        return length;
    }

    private static void SkipValue(ref Utf8JsonReader reader, ProtocolLimits limits)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }
        int depth = reader.CurrentDepth;
        do
        {
            // A container opened at reader depth d is the (d + 1)-th level of nesting.
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > limits.MaxJsonDepth)
            {
                throw new ProtocolException(ProtocolError.NestingTooDeep, $"the JSON header nests deeper than {limits.MaxJsonDepth} levels");
            }
        }
        while (reader.Read() && reader.CurrentDepth > depth);
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };
}
