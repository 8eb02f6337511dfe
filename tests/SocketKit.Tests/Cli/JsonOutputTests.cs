using System.Text.Json;

namespace SocketKit.Tests.Cli;

/// <summary>--json on the clients: one object on stdout a script can read, the same facts as the text.</summary>
[Tier(TestTier.Socket)]
public class JsonOutputTests
{
    [Fact]
    public async Task AppClientJsonHoldsTheHeaderAndTheContent()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        Support.Cli.Result search = await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "--json", "-q");
        using JsonDocument json = JsonDocument.Parse(search.Out);
        Assert.Equal("text/json", json.RootElement.GetProperty("content_type").GetString());
        Assert.Equal("In the caves beneath the Misty Mountains. \U0001F48D", json.RootElement.GetProperty("content").GetProperty("result").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount("{\"result\": \"In the caves beneath the Misty Mountains. \U0001F48D\"}"), json.RootElement.GetProperty("content_length").GetInt32());

        Support.Cli.Result binary = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "find", "xyz", "--json", "-q");
        using JsonDocument bytes = JsonDocument.Parse(binary.Out);
        Assert.Equal("First 10 bytes of request: findxyz", Encoding.UTF8.GetString(Convert.FromBase64String(bytes.RootElement.GetProperty("content_base64").GetString()!)));
    }

    [Fact]
    public async Task EchoAndMultiConnClientsJsonSayWhatCameBack()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("multiconn-server", "127.0.0.1", "0");
        Support.Cli.Result echo = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "héllo", "--json");
        using JsonDocument e = JsonDocument.Parse(echo.Out);
        Assert.Equal("héllo", Encoding.UTF8.GetString(Convert.FromBase64String(e.RootElement.GetProperty("received_base64").GetString()!)));
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo"), e.RootElement.GetProperty("received_bytes").GetInt32());

        Support.Cli.Result multi = await Support.Cli.RunExpectingAsync(0, "multiconn-client", "127.0.0.1", server.Port.ToString(), "3", "--json", "-q");
        using JsonDocument m = JsonDocument.Parse(multi.Out);
        JsonElement[] connections = [.. m.RootElement.GetProperty("connections").EnumerateArray()];
        Assert.Equal([1, 2, 3], connections.Select(c => c.GetProperty("id").GetInt32()));
        Assert.All(connections, c =>
        {
            Assert.True(c.GetProperty("complete").GetBoolean());
            Assert.Equal(c.GetProperty("sent_bytes").GetInt32(), c.GetProperty("received_bytes").GetInt32());
        });
    }

    [Fact]
    public async Task EveryJsonKeyIsSnakeCaseAndDocumentedHere()
    {
        string doc = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "JSON.md"));
        await using Support.Cli.RunningServer app = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        await using Support.Cli.RunningServer echo = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        using HeldPort refused = Ports.Hold();
        string appPort = app.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), echoPort = echo.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[][] commands =
        [
            ["echo-client", "127.0.0.1", echoPort, "hi"],
            ["multiconn-client", "127.0.0.1", echoPort, "1"],
            ["app-client", "127.0.0.1", appPort, "search", "morpheus"],
            ["app-client", "127.0.0.1", appPort, "find", "xyz"],
            ["app-client", "127.0.0.1", appPort, "search", "morpheus", "--timing"],
            ["bench", "app", "127.0.0.1", appPort, "-c", "1", "-n", "5", "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ["bench", "echo", "127.0.0.1", refused.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "1", "-d", "200ms"],
            ["netstat", "-tlni", "--port", appPort],
            ["ping", "--tcp", "-c", "2", "-i", "10ms", "127.0.0.1", appPort],
            ["ping", "--tcp", "-c", "1", "127.0.0.1", refused.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ["explain", "ECONNREFUSED"],
            ["explain", "ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host"],
            ["diagnose", "127.0.0.2", appPort],
            ["diagnose", "127.0.0.1", echoPort, "--protocol", "echo"],
            ["tour", "--list"],
        ];
        foreach (string[] command in commands)
        {
            Support.Cli.Result result = await Support.Cli.RunAsync([.. command, "--json", "-q"]);
            using JsonDocument json = JsonDocument.Parse(result.Out);
            foreach (string key in Keys(json.RootElement))
            {
                Assert.Matches("^[a-z][a-z0-9_.]*$", key);
                Assert.True(doc.Contains($"`{key}`", StringComparison.Ordinal), $"{command[0]}: key {key} is not in docs/JSON.md");
            }
        }
    }

    /// <summary>Every key, at every depth, but those of data the command passes on (a server's content, error kinds).</summary>
    private static IEnumerable<string> Keys(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name is "content" ? [p.Name] : p.Name is "errors" ? [p.Name, .. p.Value.EnumerateObject().Where(e => e.Name.All(char.IsAsciiLetterOrDigit) || e.Name.Contains('_')).Select(e => e.Name)] : Keys(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Keys),
        _ => [],
    };
}
