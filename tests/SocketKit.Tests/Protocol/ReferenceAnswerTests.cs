using SocketKit.Protocol.Python;

namespace SocketKit.Tests.Protocol;

/// <summary>
/// The examples of PROTOCOL.md's "How the reference forms an answer, exactly" and of issue 13, and what SocketKit
/// answers where the reference raises (docs/PROTOCOL.md), through the server's connection handler.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ReferenceAnswerTests
{
    [Theory]
    [InlineData("""{"action": "search", "value": true}""", "No match for 'True'.")]
    [InlineData("""{"value": "x"}""", "Error: invalid action 'None'.")]
    [InlineData("""{"action": 7, "value": 1}""", "Error: invalid action '7'.")]
    [InlineData("""{"action": ["a", "b'c"]}""", "Error: invalid action '['a', \"b'c\"]'.")]
    [InlineData("""{"action": "search", "value": 1e400}""", "No match for 'inf'.")]
    [InlineData("""{"action": "search", "value": null}""", "No match for 'None'.")]
    [InlineData("""{"action": "search"}""", "No match for 'None'.")]
    [InlineData("""{"action": false}""", "Error: invalid action 'False'.")]
    [InlineData("""{"action": ["a", "b"]}""", "Error: invalid action '['a', 'b']'.")]
    [InlineData("""{"action": "search", "value": NaN}""", "No match for 'nan'.")]
    [InlineData("""{"action": "search", "value": Infinity}""", "No match for 'inf'.")]
    [InlineData("""{"action": "search", "value": -Infinity}""", "No match for '-inf'.")]
    [InlineData("""{"action": "search", "value": 1e-5}""", "No match for '1e-05'.")]
    [InlineData("""{"action": "search", "value": 1e16}""", "No match for '1e+16'.")]
    [InlineData("""{"action": "search", "value": 0.0001}""", "No match for '0.0001'.")]
    [InlineData("""{"action": "search", "value": 1E2}""", "No match for '100.0'.")]
    [InlineData("""{"action": "search", "value": -0.0}""", "No match for '-0.0'.")]
    [InlineData("""{"action": "search", "value": 123456789012345678901234567890}""", "No match for '123456789012345678901234567890'.")]
    [InlineData("""{"action": "search", "value": 1e999999999999999999}""", "No match for 'inf'.")]
    [InlineData("""{"action": "search", "value": -1e999999999999999999}""", "No match for '-inf'.")]
    [InlineData("""{"action": "search", "value": 0e99999999999999999999}""", "No match for '0.0'.")]
    [InlineData("""{"action": "search", "value": -1.5e-99999999999999999999}""", "No match for '-0.0'.")]
    [InlineData("""{"action": "search", "value": 0.000000000000000000000000000000000000000000001e45}""", "No match for '1.0'.")]
    [InlineData("""{"action": "search", "value": [1, "a", null]}""", "No match for '[1, 'a', None]'.")]
    [InlineData("""{"action": "search", "value": {"k": true, "n": 1.5}}""", "No match for '{'k': True, 'n': 1.5}'.")]
    [InlineData("""{"action": "search", "value": {"k": 1, "n": 2, "k": 3}}""", "No match for '{'k': 3, 'n': 2}'.")]
    [InlineData("""{"action": "search", "value": ["tab\there", "\u00ad\u2028\ud800\ud83d\udc30"]}""", "No match for '['tab\\there', '\\xad\\u2028\\ud800🐰']'.")]
    [InlineData("""{"action": "search", "value": "morpheus", "action": "find"}""", "Error: invalid action 'find'.")]
    public void EachExampleIsAnsweredAsTheReferenceAnswersIt(string content, string result)
    {
        Assert.Equal(result, ResultOf(Request(content, "utf-8")));
    }

    [Theory]
    [InlineData("UTF8")]
    [InlineData("utf_8")]
    [InlineData("latin1")]
    [InlineData("L1")]
    [InlineData("cp1252")]
    [InlineData("windows-1252")]
    [InlineData("iso-8859-15")]
    [InlineData("koi8-r")]
    [InlineData("cp437")]
    [InlineData("utf-8-sig")]
    [InlineData("utf-16")]
    [InlineData("mac-roman")]
    [InlineData("Mac Roman")]
    [InlineData("cp037")]
    [InlineData("GB18030")]
    public void EachCodecOfTheExamplesDecodesASearch(string encoding)
    {
        byte[] content = TextEncodings.Encode(encoding, """{"action": "search", "value": "morpheus"}""");
        Assert.Equal("Follow the white rabbit. \U0001F430", ResultOf(Request(content, encoding)));
    }

    [Fact]
    public void Utf8SigDropsOneLeadingBomAndUtf16ReadsTheOrderFromIt()
    {
        byte[] search = """{"action": "search", "value": "ring"}"""u8.ToArray();
        Assert.Equal("In the caves beneath the Misty Mountains. \U0001F48D", ResultOf(Request([0xEF, 0xBB, 0xBF, .. search], "utf-8-sig")));
        Assert.Equal("In the caves beneath the Misty Mountains. \U0001F48D", ResultOf(Request(search, "utf-8-sig")));
        byte[] bigEndian = Encoding.BigEndianUnicode.GetBytes("""{"action": "search", "value": "ring"}""");
        Assert.Equal("In the caves beneath the Misty Mountains. \U0001F48D", ResultOf(Request([0xFE, 0xFF, .. bigEndian], "utf-16")));
        // Plain utf-8 keeps the BOM as U+FEFF, which Python's json refuses: an error result, where the reference raises.
        Assert.StartsWith("Error: the content is not valid JSON", ResultOf(Request([0xEF, 0xBB, 0xBF, .. search], "utf-8")), StringComparison.Ordinal);
    }

    public static TheoryData<string> CodecsPythonHasAndSocketKitLacks => [.. PythonCodecs.PythonTextCodecs.Except(TextEncodings.SupportedNames).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CodecsPythonHasAndSocketKitLacks))]
    public void ACodecPythonHasAndSocketKitLacksIsAnErrorResultNamingIt(string codec)
    {
        Assert.Equal($"Error: the content-encoding \"{codec}\" is Python's {codec} codec, which SocketKit cannot decode: .NET has no encoding that decodes as it does.",
            ResultOf(Request("""{"action": "search", "value": "x"}"""u8.ToArray(), codec)));
    }

    [Theory]
    [InlineData("base64", "Error: the content-encoding \"base64\" is Python's base64 codec, which is not a text encoding.")]
    [InlineData("rot13", "Error: the content-encoding \"rot13\" is Python's rot-13 codec, which is not a text encoding.")]
    [InlineData("ebcdic", "Error: the content-encoding \"ebcdic\" is no codec Python knows.")]
    [InlineData("utf.8", "Error: the content-encoding \"utf.8\" is no codec Python knows.")]
    public void ANameThatIsNoTextCodecIsAnErrorResult(string encoding, string result)
    {
        Assert.Equal(result, ResultOf(Request("""{"action": "search", "value": "x"}"""u8.ToArray(), encoding)));
    }

    [Fact]
    public void NestingDeeperThanTheLimitIsStillRefused()
    {
        int limit = ProtocolLimits.Default.MaxJsonDepth;
        string Nested(int depth) => $$"""{"action": "search", "value": {{new string('[', depth - 1)}}{{new string(']', depth - 1)}}}""";
        Assert.StartsWith("No match for '[[", ResultOf(Request(Nested(limit), "utf-8")), StringComparison.Ordinal);
        Assert.Equal($"Error: the JSON content nests deeper than {limit} levels.", ResultOf(Request(Nested(limit + 1), "utf-8")));
    }

    [Fact]
    public void IntegersAreKeptWholeUpToPythonsLimitOfDigits()
    {
        string digits = new('7', PythonJsonReader.MaxIntegerDigits);
        Assert.Equal($"No match for '{digits}'.", ResultOf(Request($$"""{"action": "search", "value": {{digits}}}""", "utf-8")));
        Assert.Equal($"Error: the content is not valid JSON as Python reads it: an integer of {digits.Length + 1} digits at character 30 (Python converts at most {digits.Length}).",
            ResultOf(Request($$"""{"action": "search", "value": {{digits}}7}""", "utf-8")));
    }

    [Theory]
    [InlineData("{'action': 'search'}", "expecting a property name enclosed in double quotes at character 1")]
    [InlineData("""{"action": "search",}""", "expecting a property name enclosed in double quotes at character 20")]
    [InlineData("""{"action": nan}""", "expecting a value at character 11")]
    [InlineData("{\"action\": \"a\u0001\"}", "invalid control character in a string at character 13")]
    [InlineData("""{"action": "search"} x""", "extra data after the JSON value at character 21")]
    [InlineData("""{"action": "\x41"}""", "invalid \\escape at character 13")]
    public void MalformedJsonIsAClearErrorResult(string content, string what)
    {
        Assert.Equal($"Error: the content is not valid JSON: {what}.", ResultOf(Request(content, "utf-8")));
    }

    [Fact]
    public void InvalidBytesInTheEncodingAreAnErrorResultNotReplaced()
    {
        Assert.Equal("Error: the content is not valid cp1252: the byte 0x81 at 12 has no character in it.",
            ResultOf(Request([.. "{\"action\": \""u8, 0x81, .. "\"}"u8], "cp1252")));
    }

    private static (byte[] Content, string Encoding) Request(string content, string encoding) => (TextEncodings.Encode(encoding, content), encoding);

    private static (byte[] Content, string Encoding) Request(byte[] content, string encoding) => (content, encoding);

    /// <summary>Sends the request through the server's connection handler and reads the result of its answer.</summary>
    private static string ResultOf((byte[] Content, string Encoding) request)
    {
        (byte[] content, string encoding) = request;
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        var data = new ReadOnlySequence<byte>(MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, encoding, content.Length), content));
        handler.OnData(ref data, output);
        var answer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(new MessageDecoder().TryDecode(ref answer, out Message response));
        return PythonJsonReader.Parse(Encoding.UTF8.GetString(response.Content.Span)).Get("result")!.AsString!;
    }
}
