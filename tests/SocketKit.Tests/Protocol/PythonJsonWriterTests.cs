using System.Text;
using System.Text.Json;

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
