using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocketKit.Tests.Cli;

/// <summary>Logs and metrics as a user of socketkit sees them: --log-format json, --metrics.</summary>
[Tier(TestTier.Socket)]
public class ObservabilityCommandTests
{
    [Fact]
    public async Task JsonLogsAreOneObjectPerLineAndEveryConnectionLineCarriesItsId()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--log-format", "json");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(), "search", "morpheus", "--log-format", "json");
        await server.Error.WaitForAsync("\"EventName\":\"Closing\"");
        Assert.Equal(0, await server.StopAsync());

        foreach (string output in new[] { server.Error.ToString(), client.Error })
        {
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length >= 4, output);
            foreach (string line in lines)
            {
                using JsonDocument json = JsonDocument.Parse(line);
                JsonElement root = json.RootElement;
                Assert.True(DateTimeOffset.TryParse(root.GetProperty("Timestamp").GetString(), out _), line);
                Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
                string message = root.GetProperty("Message").GetString()!;
                // A line about one connection names it ("connection 1"); its id must also be a field of its own.
                Match about = Regex.Match(message, @"connection (\d+)");
                if (about.Success)
                {
                    Assert.Equal(long.Parse(about.Groups[1].Value), root.GetProperty("State").GetProperty("ConnectionId").GetInt64());
                }
            }
        }
        Assert.Contains("\"EventName\":\"RequestReceived\"", server.Error.ToString());
        Assert.Contains("\"Request\":\"{\\\"action\\\": \\\"search\\\", \\\"value\\\": \\\"morpheus\\\"}\"", server.Error.ToString());
    }

    [Theory]
    [InlineData("app-server")]
    [InlineData("echo-server")]
    [InlineData("multiconn-server")]
    public async Task MetricsPrintsASummaryLineEveryIntervalAndOnExit(string command)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync(command, "127.0.0.1", "0", "--metrics", "--metrics-interval", "100ms");
        const int clients = 2;
        for (int i = 0; i < clients; i++)
        {
            Support.Cli.Result client = command == "app-server"
                ? await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q")
                : await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "-q");
            Assert.Equal(0, client.ExitCode);
        }
        int requests = command == "app-server" ? clients : 0;
        await server.Error.WaitForAsync($@"^metrics: 0 active, {clients} connections, 0 rejected, {requests} requests.* [0-9.]+ (B|KiB) in, [0-9.]+ (B|KiB) out, 0 protocol errors, 0 timeouts$");
        Assert.Equal(0, await server.StopAsync());
        string last = server.Error.ToString().TrimEnd().Split('\n')[^1];
        Assert.StartsWith($"metrics: 0 active, {clients} connections", last);
    }

    [Fact]
    public async Task WithWorkersOneSummaryCoversEveryListenerOnThePort()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--workers", "2", "--metrics", "--metrics-interval", "100ms");
        const int clients = 6;
        for (int i = 0; i < clients; i++)
        {
            Assert.Equal(0, (await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q")).ExitCode);
        }
        await server.Error.WaitForAsync($"^metrics: 0 active, {clients} connections, 0 rejected, {clients} requests");
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task BehindAProxyRequestsCountForThisServerAndAMissingProxyHeaderIsARejection()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--proxy-protocol", "--metrics", "--metrics-interval", "100ms");
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        var request = new ArrayBufferWriter<byte>();
        Message search = AppRequests.Json("search", "ring");
        MessageEncoder.Write(request, search.Header, search.Content.Span);
        // The header names another frontend port than the server's: the request must still count for this server.
        byte[] proxied = [.. Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.7 127.0.0.1 40000 {(server.Port == 443 ? 444 : 443)}\r\n"), .. request.WrittenSpan];
        Assert.NotEmpty(await RawClient.ExchangeUntilCloseAsync(endPoint, proxied));
        await RawClient.ExchangeUntilCloseAsync(endPoint, request.WrittenSpan.ToArray());
        await server.Error.WaitForAsync("^metrics: 0 active, 2 connections, 1 rejected, 1 requests");
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task WithJsonLogsTheMetricsSummaryIsJsonToo()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--metrics", "--metrics-interval", "100ms", "--log-format", "json");
        Assert.Equal(0, (await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q")).ExitCode);
        Match line = await server.Error.WaitForAsync("^\\{\"Timestamp\":\"[^\"]+\",\"EventName\":\"Metrics\".*\"requests\":1,.*$");
        using JsonDocument json = JsonDocument.Parse(line.Value);
        JsonElement metrics = json.RootElement.GetProperty("Metrics");
        Assert.Equal(1, metrics.GetProperty("connections").GetInt64());
        Assert.True(metrics.GetProperty("bytes_received").GetInt64() > 0);
        Assert.Equal(0, await server.StopAsync());
        Assert.All(server.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => JsonDocument.Parse(l).Dispose());
    }

    [Theory]
    [InlineData("10ms")]
    [InlineData("2h")]
    public async Task AMetricsIntervalOutsideItsBoundsIsAUsageError(string interval)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "app-server", "127.0.0.1", "0", "--metrics", "--metrics-interval", interval);
        Assert.Contains("--metrics-interval must be from 100ms to 1h", result.Error);
    }
}
