using System.Text.Json;

namespace SocketKit.Protocol;

/// <summary>Returns shared instances for the header values nearly every message carries, so decoding them allocates nothing.</summary>
internal static class KnownStrings
{
    public static string Get(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            ReadOnlySpan<byte> value = reader.ValueSpan;
            if (value.SequenceEqual("little"u8)) return "little";
            if (value.SequenceEqual("big"u8)) return "big";
            if (value.SequenceEqual("text/json"u8)) return ContentTypes.TextJson;
            if (value.SequenceEqual("utf-8"u8)) return ContentTypes.Utf8Encoding;
            if (value.SequenceEqual("binary"u8)) return ContentTypes.BinaryEncoding;
            if (value.SequenceEqual("binary/custom-client-binary-type"u8)) return ContentTypes.ClientBinary;
            if (value.SequenceEqual("binary/custom-server-binary-type"u8)) return ContentTypes.ServerBinary;
        }
        return reader.GetString()!;
    }
}
