namespace SocketKit.Tests.Applications;

/// <summary>Content as a log line shows it: bounded whatever a client sends.</summary>
[Tier(TestTier.Unit)]
public sealed class ContentPreviewTests
{
    [Fact]
    public void ShortJsonIsShownWhole()
    {
        const string Json = "{\"action\": \"search\", \"value\": \"morpheus\"}";
        Assert.Equal(Json, ContentPreview.Describe(ContentTypes.TextJson, "utf-8", Encoding.UTF8.GetBytes(Json)));
    }

    [Fact]
    public void AMebibyteOfJsonIsItsFirstBytesAndHowManyMore()
    {
        byte[] content = Encoding.UTF8.GetBytes("{\"value\": \"" + new string('x', 1024 * 1024) + "\"}");
        string shown = ContentPreview.Describe(ContentTypes.TextJson, "utf-8", content);
        Assert.Equal(Encoding.UTF8.GetString(content, 0, ContentPreview.MaxBytes) + FormattableString.Invariant($" ... ({content.Length - ContentPreview.MaxBytes:N0} more bytes)"), shown);
        Assert.True(shown.Length <= ContentPreview.MaxChars);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ACutInsideACharacterStepsBackToItsStartAndStaysText(int offset)
    {
        // A four-byte character (🐶) straddling the cut, wherever it falls in it.
        string text = new string('a', ContentPreview.MaxBytes - offset) + string.Concat(Enumerable.Repeat("\U0001F436", 100));
        byte[] content = Encoding.UTF8.GetBytes(text);
        int kept = ContentPreview.MaxBytes - offset;
        Assert.Equal(new string('a', kept) + FormattableString.Invariant($" ... ({content.Length - kept:N0} more bytes)"), ContentPreview.Describe(ContentTypes.TextJson, "utf-8", content));
    }

    [Fact]
    public void BinaryContentWithALongTypeIsBoundedToo()
    {
        string type = new('t', 10_000);
        string shown = ContentPreview.Describe(type, "binary", new byte[1024 * 1024]);
        Assert.True(shown.Length <= ContentPreview.MaxChars, $"{shown.Length} characters");
        Assert.StartsWith(new string('t', ContentPreview.MaxTypeChars) + "... b'\\x00", shown);
        Assert.EndsWith(FormattableString.Invariant($" ... ({1024 * 1024 - ContentPreview.MaxBinaryBytes:N0} more bytes)"), shown);
    }
}
