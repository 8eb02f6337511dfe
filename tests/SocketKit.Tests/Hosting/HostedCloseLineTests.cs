using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SocketKit.Hosting;

namespace SocketKit.Tests.Hosting;

/// <summary>
/// The hosted server's Information line at a connection's close says why and what the connection carried: its requests,
/// the bytes in and out, and how long it was open.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class HostedCloseLineTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TheCloseLineCountsTheRequestsAndTheBytesOfTheExchange(int requests)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0" });
        var log = new LogCapture();
        builder.Logging.AddProvider(log);
        builder.Services.AddSocketKitServer("app");
        using IHost host = builder.Build();
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        EndPoint endPoint = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints.Single();

        // Keep-alive requests, then one without: the server answers them all and closes.
        byte[][] each = [.. Enumerable.Range(1, requests).Select(i => HostileServers.Request("search", $"value {i}", keepAlive: i < requests))];
        byte[] sent = [.. each.SelectMany(r => r)];
        byte[] answers = await RawClient.ExchangeUntilCloseAsync(endPoint, sent);
        Assert.NotEmpty(answers);
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);

        // Logged before the socket closed, so the client's end of file comes after it.
        string line = Assert.Single(log.Lines, l => l.Contains("Closing connection", StringComparison.Ordinal));
        Match m = Regex.Match(line, @": Closing connection 1 to 127\.0\.0\.1:\d+ \(done\): (\d+) requests, (\d+) bytes in, (\d+) bytes out, open (\d+(\.\d+)?) s$");
        Assert.True(m.Success, line);
        Assert.Equal(requests, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(sent.Length, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(answers.Length, long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.InRange(double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), 0, TestTimeouts.Limit.TotalSeconds);
    }
}
