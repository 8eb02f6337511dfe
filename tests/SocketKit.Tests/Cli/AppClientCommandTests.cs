using System.Text.Json;
using System.Text.RegularExpressions;

namespace SocketKit.Tests.Cli;

/// <summary>app-client beyond the tutorial's command line: content from a file or standard input, header entries, several requests on one connection, timing, and exit codes that tell a wrong server.</summary>
[Tier(TestTier.Socket)]
public class AppClientCommandTests
{
    [Theory]
    [InlineData("search", "morpheus", "Got result: None")]
    [InlineData("find", "xyz", "Got response: b'findxyz'")]
    public async Task AnEchoServersAnswerIsNotTheApplicationProtocolAndExitsOne(string action, string value, string printed)
    {
        await using var server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        var r = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", server.Port.ToString(), action, value, "-q");
        Assert.Equal(printed + "\n", r.Out);
        Assert.Contains($"socketkit: the answer from 127.0.0.1:{server.Port} is not the application protocol: it is the request itself, sent back (an echo server answers so).", r.Error);
    }

    [Fact]
    public async Task AnErrorResultExitsZeroAsTheTutorialsAndOneWithFail()
    {
        await using var server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        var plain = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "bogus", "x", "--json-request", "-q");
        Assert.Equal((0, "Got result: Error: invalid action 'bogus'.\n", ""), (plain.ExitCode, plain.Out, plain.Error));
        var failing = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", server.Port.ToString(), "bogus", "x", "--json-request", "--fail", "-q");
        Assert.Equal("Got result: Error: invalid action 'bogus'.\n", failing.Out);
        Assert.Equal("socketkit: the server answered with an error (--fail): Error: invalid action 'bogus'.\n", failing.Error);
        await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "--fail", "-q");
    }

    [Fact]
    public async Task AContentFileOfRandomBinaryOver128KiBArrivesWholeWithItsTypeAndHeaderEntries()
    {
        await using var server = new RecordingAppServer();
        byte[] content = new byte[300_000];
        Random.Shared.NextBytes(content);
        content[0] = 0;
        // Python's repr quotes with " when the bytes hold a ' and no ": the reply's first 10 bytes stay free of both here.
        for (int i = 0; i < 10; i++) content[i] = content[i] is (byte)'\'' or (byte)'"' ? (byte)'x' : content[i];
        string path = Path.Combine(TestScratch.Directory, $"content-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, content);
        var r = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "--content-file", path, "--content-type", "image/x-test",
            "--header", "trace-id=42", "--header", "note=a=b", "-q");
        File.Delete(path);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.StartsWith("Got response: b'First 10 bytes of request: ", r.Out);
        (Message request, byte[] raw) = Assert.Single(server.Requests);
        Assert.Equal(("image/x-test", "binary"), (request.Header.ContentType, request.Header.ContentEncoding));
        Assert.True(content.AsSpan().SequenceEqual(request.Content.Span), "the content arrived changed");
        string header = Encoding.UTF8.GetString(raw, 2, (raw[0] << 8) | raw[1]);
        Assert.EndsWith(@", ""content-length"": 300000, ""trace-id"": ""42"", ""note"": ""a=b""}", header);
    }

    [Fact]
    public async Task ContentFromStandardInputIsSentByteForByte()
    {
        await using var server = new RecordingAppServer();
        byte[] content = new byte[200_000];
        Random.Shared.NextBytes(content);
        using RawCliProcess client = RawCliProcess.Start(["app-client", "127.0.0.1", server.Port.ToString(), "--content-file", "-", "-q"]);
        await client.WriteAllAndCloseAsync(content);
        byte[] printed = await client.ReadAllAsync();
        Assert.True(await client.ExitAsync() == 0, client.Error);
        Assert.StartsWith("Got response: b'First 10 bytes of request: ", Encoding.UTF8.GetString(printed));
        (Message request, _) = Assert.Single(server.Requests);
        Assert.Equal("binary/custom-client-binary-type", request.Header.ContentType);
        Assert.True(content.AsSpan().SequenceEqual(request.Content.Span), "the content arrived changed");
    }

    [Fact]
    public async Task KeepaliveSendsEveryRequestOnOneConnection()
    {
        await using var server = new RecordingAppServer();
        var r = await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "--keepalive", "3", "-q");
        Assert.Equal(string.Concat(Enumerable.Repeat("Got result: In the caves beneath the Misty Mountains. \U0001F48D\n", 3)), r.Out);
        Assert.Equal([true, true, false], server.Requests.Select(q => q.Request.Header.KeepAlive));
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task KeepaliveAgainstAServerThatClosesAfterEachAnswerSaysSoAndExitsOne()
    {
        await using SocketServer server = AnswerOnceThenClose.Start();
        var r = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", server.Port().ToString(), "search", "ring", "--keepalive", "2", "-q");
        Assert.Equal("Got result: In the caves beneath the Misty Mountains. \U0001F48D\n", r.Out);
        Assert.StartsWith("socketkit: the server does not keep connections alive: it answered request 1 of 2 without \"keep-alive\": true and closes the connection;", r.Error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TimingSaysWhenEachStepWasDoneInOrder(bool tls)
    {
        string[] serve = tls ? ["--tls-cert", TestCertificates.CertificatePath, "--tls-key", TestCertificates.KeyPath] : [];
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (127\.0\.0\.1:(\d+))", ["app-server", "127.0.0.1", "0", .. serve]);
        string[] reach = tls ? ["localhost", server.Port.ToString(), "--tls-ca", TestCertificates.CertificatePath] : ["127.0.0.1", server.Port.ToString()];
        var r = await Support.Cli.RunExpectingAsync(0, ["app-client", .. reach, "search", "morpheus", "--timing", "-q"]);
        Match m = Regex.Match(r.Out, @"\ntiming: connect (\d+\.\d{3}) ms, TLS (-|\d+\.\d{3} ms), first byte (\d+\.\d{3}) ms, total (\d+\.\d{3}) ms \(from the start\)\n$");
        Assert.True(m.Success, r.Out);
        double connect = double.Parse(m.Groups[1].Value), firstByte = double.Parse(m.Groups[3].Value), total = double.Parse(m.Groups[4].Value);
        Assert.Equal(tls, m.Groups[2].Value != "-");
        double afterTls = tls ? double.Parse(m.Groups[2].Value.Split(' ')[0]) : connect;
        Assert.True(connect <= afterTls && afterTls <= firstByte && firstByte <= total, r.Out);

        var json = await Support.Cli.RunAsync(["app-client", .. reach, "search", "morpheus", "--timing", "--json", "-q"]);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        JsonElement timing = doc.RootElement.GetProperty("timing_ms");
        Assert.Equal(tls ? JsonValueKind.Number : JsonValueKind.Null, timing.GetProperty("tls").ValueKind);
        Assert.True(timing.GetProperty("first_byte").GetDouble() <= timing.GetProperty("total").GetDouble());
    }

    [Theory]
    [InlineData("app-client needs ACTION VALUE (search morpheus), or --content-file FILE.", "app-client", "127.0.0.1", "65432")]
    [InlineData("app-client needs a VALUE after ACTION.", "app-client", "127.0.0.1", "65432", "search")]
    [InlineData("--content-file is the content: leave out ACTION and VALUE.", "app-client", "127.0.0.1", "65432", "search", "x", "--content-file", "-")]
    [InlineData("--content-type goes with --content-file (ACTION VALUE chooses its own type).", "app-client", "127.0.0.1", "65432", "search", "x", "--content-type", "a/b")]
    [InlineData("'novalue' is not a header entry for --header: use KEY=VALUE, with a KEY that is not one of the protocol's own.", "app-client", "127.0.0.1", "65432", "search", "x", "--header", "novalue")]
    [InlineData("'content-length=5' is not a header entry for --header", "app-client", "127.0.0.1", "65432", "search", "x", "--header", "content-length=5")]
    [InlineData("--content-file '/nonexistent/file'", "app-client", "127.0.0.1", "65432", "--content-file", "/nonexistent/file")]
    public async Task AWrongCommandLineIsSaidInWordsAndExitsTwo(string said, params string[] args)
    {
        var r = await Support.Cli.RunExpectingAsync(2, args);
        Assert.Contains($"socketkit: {said}", r.Error);
    }
}
