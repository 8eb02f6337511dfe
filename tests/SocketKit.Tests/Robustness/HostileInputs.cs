namespace SocketKit.Tests.Robustness;

/// <summary>
/// Malformed and hostile inputs for a running app server. <c>Answered</c> says whether the server can still tell
/// the peer what was wrong (it read a whole header first); truncated or cut streams end without an answer.
/// </summary>
public static class HostileInputs
{
    public sealed record Input(string Name, byte[] Bytes, bool Answered)
    {
        public override string ToString() => Name;
    }

    private static byte[] Json(string headerJson, string content = "") => Frames.Raw(headerJson, Encoding.UTF8.GetBytes(content));

    private static string Length(string value) => Frames.Header().Replace("\"content-length\": 0", $"\"content-length\": {value}");

    private static byte[] Content(string encoding, byte[] content, string type = "text/json") =>
        Frames.Raw(Frames.Header(type, encoding, content.Length), content);

    public static IReadOnlyList<Input> All { get; } =
    [
        new("nothing at all", [], false),
        new("half a protoheader", [0x00], false),
        new("empty header", [0x00, 0x00], true),
        new("header of 65,535 bytes announced", [0xFF, 0xFF], true),
        new("header of 16 KiB + 1 announced", [0x40, 0x01], true),
        new("header cut short", [0x00, 0x64, .. "{\"byteorder\""u8], false),
        new("header not JSON", Json("{not json}"), true),
        new("header with trailing garbage", Json(Frames.Header() + "}}"), true),
        new("header is an array", Json("[1, 2, 3]"), true),
        new("header is a string", Json("\"header\""), true),
        new("header is a number", Json("42"), true),
        new("header is null", Json("null"), true),
        new("header not UTF-8", Frames.Raw([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']), true),
        new("header with an overlong UTF-8 NUL", Frames.Raw([(byte)'{', (byte)'"', 0xC0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}']), true),
        new("header with a raw control character", Json("{\"byteorder\": \"lit\u0001tle\"}"), true),
        new("missing byteorder", Json("{\"content-type\": \"text/json\", \"content-encoding\": \"utf-8\", \"content-length\": 0}"), true),
        new("missing content-type", Json("{\"byteorder\": \"little\", \"content-encoding\": \"utf-8\", \"content-length\": 0}"), true),
        new("missing content-encoding", Json("{\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-length\": 0}"), true),
        new("missing content-length", Json("{\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-encoding\": \"utf-8\"}"), true),
        new("negative content-length", Json(Length("-1")), true),
        new("fractional content-length", Json(Length("4.5")), true),
        new("exponent content-length", Json(Length("1e3")), true),
        new("string content-length", Json(Length("\"4\"")), true),
        new("boolean content-length", Json(Length("true")), true),
        new("null content-length", Json(Length("null")), true),
        new("content-length 2^40", Json(Length((1L << 40).ToString())), true),
        new("content-length 2^63 - 1", Json(Length(long.MaxValue.ToString())), true),
        new("content-length past 64 bits", Json(Length("123456789012345678901234567890")), true),
        new("content-length one over the limit", Json(Length((ProtocolLimits.Default.MaxContentBytes + 1).ToString())), true),
        new("numeric content-type", Json(Frames.Header().Replace("\"text/json\"", "7")), true),
        new("byteorder middle", Json(Frames.Header().Replace("little", "middle")), true),
        new("keep-alive not a boolean", Json(Frames.Header(extra: ", \"keep-alive\": \"yes\"")), true),
        new("a later duplicate key that is wrong", Json(Frames.Header(extra: ", \"content-length\": -5")), true),
        new("header nested 100 deep", Json(Frames.Header(extra: ", \"x\": " + new string('[', 100) + new string(']', 100))), true),
        new("header nested 5,000 deep", Json(Frames.Header(extra: ", \"x\": " + new string('[', 5000) + new string(']', 5000))), true),
        new("unknown content-encoding", Content("ebcdic", "{}"u8.ToArray()), true),
        new("content not UTF-8", Content("utf-8", [(byte)'{', 0xFF, (byte)'}']), true),
        new("content not JSON", Content("utf-8", "{action: search}"u8.ToArray()), true),
        new("content a JSON array", Content("utf-8", "[\"search\"]"u8.ToArray()), true),
        new("content a JSON string", Content("utf-8", "\"search\""u8.ToArray()), true),
        new("content nested 100 deep", Content("utf-8", Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100))), true),
        new("content odd-length utf-16", Content("utf-16", [0xFF, 0xFE, (byte)'{', 0x00, (byte)'}']), true),
        new("content not ascii", Content("ascii", [(byte)'{', 0xE9, (byte)'}']), true),
        new("content cut short", Frames.Raw(Frames.Header(length: 100), "{\"action\""u8.ToArray()), false),
        new("1 MiB declared, 10 bytes sent", Frames.Raw(Frames.Header("binary/x", "binary", ProtocolLimits.Default.MaxContentBytes), new byte[10]), false),
        new("an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), true),
        new("a TLS ClientHello", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03], false),
        new("a good keep-alive request, then garbage", [.. HostileServers.Request("search", "ring", keepAlive: true), 0x00, 0x02, (byte)'[', (byte)']'], true),
        new("1 KiB of random bytes", RandomBytes(1024, seed: 5), true),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (Input input in All) data.Add(input.Name);
        return data;
    }

    public static Input Get(string name) => All.Single(i => i.Name == name);

    private static byte[] RandomBytes(int count, int seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x00; // A header length the limit allows, so the garbage reaches the JSON parser.
        bytes[1] = 0x40;
        return bytes;
    }
}
