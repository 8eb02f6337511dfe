using System.Text;
using System.Text.Json;

namespace SocketKit.Tests.Cli;

/// <summary>--json on the clients: one object on stdout a script can read, the same facts as the text.</summary>
public class JsonOutputTests
{
    [Fact]
    public async Task AppClientJsonHoldsTheHeaderAndTheContent()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        Support.Cli.Result search = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "--json", "-q");
        Assert.Equal(0, search.ExitCode);
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

        Support.Cli.Result multi = await Support.Cli.RunAsync("multiconn-client", "127.0.0.1", server.Port.ToString(), "3", "--json", "-q");
        Assert.Equal(0, multi.ExitCode);
        using JsonDocument m = JsonDocument.Parse(multi.Out);
        JsonElement[] connections = [.. m.RootElement.GetProperty("connections").EnumerateArray()];
        Assert.Equal([1, 2, 3], connections.Select(c => c.GetProperty("id").GetInt32()));
        Assert.All(connections, c =>
        {
            Assert.True(c.GetProperty("complete").GetBoolean());
            Assert.Equal(c.GetProperty("sent_bytes").GetInt32(), c.GetProperty("received_bytes").GetInt32());
        });
    }
}
