using System.Text.Json;
using SocketKit.Protocol.Json;
using SocketKit.Protocol.Python;

namespace SocketKit.Tests.Protocol;

/// <summary>Expected strings are what Python 3's json.dumps(value, ensure_ascii=False) prints for the same value.</summary>
[Tier(TestTier.Unit)]
public class PythonJsonWriterTests
{
    public static TheoryData<string, string> JsonAndWhatPythonWrites => new()
    {
        { "{\"a\":1,\"b\":[1,2,{}],\"c\":[]}", "{\"a\": 1, \"b\": [1, 2, {}], \"c\": []}" },
        { "\"\\u00e9\\ud83d\\udc30\"", "\"é🐰\"" },
        { "\"<>&'+\\u007f\"", "\"<>&'+\u007f\"" },
        { "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\\"\\\\/\"", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\\"\\\\/\"" },
        { "[1.0, 1.5, 1e16, 1e15, 0.0001, 0.00001, -2.5e-7, 123456789012345678]", "[1.0, 1.5, 1e+16, 1000000000000000.0, 0.0001, 1e-05, -2.5e-07, 123456789012345678]" },
        { "[true, false, null, -0, 1E400]", "[true, false, null, 0, Infinity]" },
        { "{\"k\": 1, \"j\": 0, \"k\": 2}", "{\"k\": 2, \"j\": 0}" },
    };

    [Theory]
    [MemberData(nameof(JsonAndWhatPythonWrites))]
    public void WritesParsedJsonAsPythonDoes(string input, string python)
    {
        using JsonDocument doc = JsonDocument.Parse(input);
        Assert.Equal(python, JsonContent.ToPythonJson(doc.RootElement));
    }

    [Fact]
    public void EmojiOutsideTheBmpIsFourRawUtf8Bytes()
    {
        byte[] bytes = JsonContent.Write(w => w.WriteStringValue("\U0001F430"));
        Assert.Equal("22F09F90B022", Convert.ToHexString(bytes));
    }

    [Fact]
    public void ALoneSurrogateIsEscapedRatherThanWrittenAsInvalidUtf8()
    {
        byte[] bytes = JsonContent.Write(w => w.WriteStringValue("a\ud800b"));
        Assert.Equal("\"a\\ud800b\"", Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("UTF8")]
    [InlineData("utf-16")]
    [InlineData("utf-16-be")]
    [InlineData("utf_32")]
    [InlineData("latin-1")]
    [InlineData("ascii")]
    public void JsonContentRoundTripsInEverySupportedEncoding(string encoding)
    {
        byte[] content = JsonContent.Write(w => { w.WriteStartObject(); w.WriteString("value", "caf\u00e9"); w.WriteEndObject(); }, encoding == "ascii" ? "utf-8" : encoding);
        if (encoding == "ascii")
        {
            Assert.Throws<ProtocolException>(() => JsonContent.Parse(content, encoding));
            return;
        }
        using JsonDocument doc = JsonContent.Parse(content, encoding);
        Assert.Equal("caf\u00e9", doc.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public void AnUnknownEncodingIsRefusedByName()
    {
        ProtocolException ex = Assert.Throws<ProtocolException>(() => JsonContent.Parse("{}"u8.ToArray(), "ebcdic"));
        Assert.Equal(ProtocolError.UnsupportedEncoding, ex.Error);
        Assert.Contains("ebcdic", ex.Message);
    }
}

/// <summary>Past the depths and sizes the writer and the dict keep in their compact forms: the same answers as Python's.</summary>
[Tier(TestTier.Unit)]
public class PythonJsonDepthAndSizeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(150)]
    public void NestedArraysSeparateTheirItemsAtEveryDepth(int depth)
    {
        byte[] bytes = JsonContent.Write(w => WriteNested(w, 0, depth));
        Assert.Equal(Nested(0, depth), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void EndingMoreThanWasStartedIsAnError()
    {
        Assert.Throws<InvalidOperationException>(() => JsonContent.Write(w =>
        {
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void ADictOfAnySizeKeepsPythonsOrderAndTheLastOfDuplicateKeys(int keys)
    {
        // {"k0": 0, ..., "kN": N, "k1": "again", "k0": "last"}: Python's dict keeps k0 and k1 where they first came.
        string json = "{" + string.Join(", ", Enumerable.Range(0, keys).Select(i => $"\"k{i}\": {i}")) + ", \"k1\": \"again\", \"k0\": \"last\"}";
        PythonValue dict = JsonContent.ParsePython(Encoding.UTF8.GetBytes(json), "utf-8");
        string python = "{'k0': 'last', 'k1': 'again'" + string.Concat(Enumerable.Range(2, keys - 2).Select(i => $", 'k{i}': {i}")) + "}";
        Assert.Equal(python, dict.ToString());
        Assert.Equal(keys, dict.Members.Count);
        Assert.Equal("last", dict.Get("k0")?.AsString);
        Assert.Equal($"{keys - 1}", dict.Get($"k{keys - 1}")?.ToString());
        Assert.Null(dict.Get("absent"));
    }

    private static void WriteNested(PythonJsonWriter w, int level, int depth)
    {
        w.WriteStartArray();
        w.WriteNumberValue(level);
        if (level + 1 < depth)
        {
            WriteNested(w, level + 1, depth);
        }
        w.WriteStringValue("end");
        w.WriteEndArray();
    }

    private static string Nested(int level, int depth) =>
        $"[{level}, " + (level + 1 < depth ? Nested(level + 1, depth) + ", " : "") + "\"end\"]";
}
