namespace SocketKit.Tests.Cli;

/// <summary>socketkit app-client prints any result as app-client.py does: Python's str() of it, decoded in the response's encoding.</summary>
[Tier(TestTier.Socket)]
public sealed class AppClientOutputTests
{
    public static TheoryData<string, string, string, int> Results => new()
    {
        // A result that is no string reads as Python's str() of it.
        { "utf-8", """{"result": [1, "a", null, true, 1e16, {"k": "it's"}]}""", """Got result: [1, 'a', None, True, 1e+16, {'k': "it's"}]""", 0 },
        { "utf-8", """{"result": NaN}""", "Got result: nan", 0 },
        // Printed as the reference prints it, but JSON without "result" is not the protocol's answer: exit 1.
        { "utf-8", """{"other": 1}""", "Got result: None", 1 },
        // Decoded in the response's own encoding, under any of Python's names for it.
        { "windows-1252", "{\"result\": \"caf\u00e9 \u20ac\"}", "Got result: caf\u00e9 \u20ac", 0 },
        { "UTF-16", "{\"result\": \"\U0001F430\"}", "Got result: \U0001F430", 0 },
    };

    [Theory]
    [MemberData(nameof(Results))]
    public async Task AppClientPrintsTheResultAsTheReferenceClientDoes(string encoding, string content, string expected, int exitCode)
    {
        byte[] bytes = TextEncodings.Encode(encoding, content);
        AppRouter router = new AppRouter().MapAction("search", _ => new AppResponse(ContentTypes.TextJson, encoding, bytes));
        await using SocketServer server = TestServers.App(EngineKind.Select, router);
        Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port().ToString(System.Globalization.CultureInfo.InvariantCulture), "search", "x");
        Assert.Equal(exitCode, client.ExitCode);
        Assert.Equal(expected + "\n", client.Out);
    }
}
