using SocketKit.Cli.OptionGroups;
using SocketKit.Transport.Settings;

namespace SocketKit.Tests.Cli;

/// <summary>The limit and timeout flags every server command takes.</summary>
[Tier(TestTier.Socket)]
public class ServerFlagsTests
{
    [Theory]
    [InlineData("16KiB", 16 * 1024)]
    [InlineData("1MiB", 1024 * 1024)]
    [InlineData("1.5KiB", 1536)]
    [InlineData("2mb", 2 * 1024 * 1024)]
    [InlineData("1000", 1000)]
    [InlineData("512B", 512)]
    public void SizesAreReadWithBinaryUnitsOrAsPlainBytes(string text, long expected)
    {
        Assert.True(ByteSizes.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    public void WhatIsNotASizeIsRefused(string text) => Assert.False(ByteSizes.TryParse(text, out _));

    [Theory]
    [InlineData("echo-server")]
    [InlineData("multiconn-server")]
    [InlineData("app-server")]
    public async Task EveryServerCommandTakesTheSameLimitAndTimeoutFlags(string command)
    {
        Support.Cli.Result help = await Support.Cli.RunAsync(command, "--help");
        foreach (string flag in new[] { "--max-header-bytes", "--max-content-bytes", "--max-connections", "--max-send-buffer-bytes", "--request-timeout", "--idle-timeout", "--drain-timeout", "--min-request-rate", "--min-response-rate", "--min-rate-grace-period" })
        {
            Assert.Contains(flag, help.Out);
        }
        Assert.Contains("default 30s", help.Out);
        Assert.Contains("default 16KiB", help.Out);
        Assert.Contains("default 240;", help.Out);
    }

    [Theory]
    [InlineData("echo-server")]
    [InlineData("multiconn-server")]
    [InlineData("app-server")]
    public void TheRateFlagsReachTheServersTimeouts(string name)
    {
        var command = new System.CommandLine.Command(name);
        var flags = new ServerFlags();
        flags.AddTo(command);
        System.CommandLine.ParseResult result = command.Parse(["--min-request-rate", "1KiB", "--min-response-rate", "512.5", "--min-rate-grace-period", "2s"]);
        Assert.Empty(result.Errors);

        ServerSettings read = flags.Read(result);

        Assert.Equal(1024, read.Timeouts.MinRequestContentBytesPerSecond);
        Assert.Equal(512.5, read.Timeouts.MinResponseBytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2), read.Timeouts.MinDataRateGracePeriod);
    }

    [Theory]
    [InlineData("--request-timeout")]
    [InlineData("--header-timeout")] // Its former name, still read.
    public void TheRequestTimeoutIsReadUnderEitherName(string flag)
    {
        var command = new System.CommandLine.Command("app-server");
        var flags = new ServerFlags();
        flags.AddTo(command);
        System.CommandLine.ParseResult result = command.Parse([flag, "7s"]);
        Assert.Empty(result.Errors);

        Assert.Equal(TimeSpan.FromSeconds(7), flags.Read(result).Timeouts.RequestTimeout);
    }

    public static TheoryData<string, string, string> BadLimitsAndWhatTheErrorSays => new()
    {
        { "--max-content-bytes", "lots", "--max-content-bytes: 'lots' is not a size; use 16KiB, 1MiB or a number of bytes" },
        { "--max-header-bytes", "100KiB", "--max-header-bytes: 100KiB must be 1 to 65535 bytes" },
        { "--max-connections", "0", "--max-connections: 0 must be at least 1" },
        { "--drain-timeout", "soon", "--drain-timeout: 'soon' is not a duration; use 500ms, 30s, 2m or 00:00:30" },
        { "--min-request-rate", "0", "--min-request-rate: 0 must be a positive number of bytes per second, at most 1TiB" },
        { "--min-response-rate", "fast", "--min-response-rate: 'fast' is not a rate" },
        { "--engine", "turbo", "--engine: 'turbo' is not an engine; use one of blocking, select" },
    };

    [Theory]
    [MemberData(nameof(BadLimitsAndWhatTheErrorSays))]
    public async Task ABadLimitIsAUsageError(string flag, string value, string message)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "app-server", "127.0.0.1", "0", flag, value);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task TheAppServerRefusesContentOverMaxContentBytesWithAnErrorSayingTheLimit()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--max-content-bytes", "100");
        byte[] request = Frames.Raw(Frames.Header("binary/x", "binary", 200), new byte[200]);
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, server.Port), request);
        Message error = Assert.Single(Splits.Decode(answer, []));
        Assert.Equal("{\"result\": \"Error: the header declares 200 content bytes; the limit is 100 bytes.\"}", Encoding.UTF8.GetString(error.Content.Span));
        await server.Error.WaitForAsync(@"warning: Protocol error on connection 1 from 127\.0\.0\.1:\d+: ContentTooLarge: the header declares 200 content bytes; the limit is 100 bytes");
    }
}
