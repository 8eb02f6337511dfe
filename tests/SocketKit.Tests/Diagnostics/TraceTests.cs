using SocketKit.Diagnostics.Trace;

namespace SocketKit.Tests.Diagnostics;

/// <summary>socketkit trace between real clients and servers, and the Wireshark dissector on real captures, checked with tshark.</summary>
[Tier(TestTier.Socket)]
public class TraceTests
{
    private static string Dissector => Path.Combine(Repository.Root, "tools", "wireshark", "socketkit.lua");

    [ExternalFact("tshark")]
    public async Task TraceRelaysAConversationAndPrintsEveryMessageDecoded()
    {
        string pcap = Path.Combine(Path.GetTempPath(), $"socketkit-trace-{Guid.NewGuid():N}.pcap");
        try
        {
            await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
            await using Support.Cli.RunningServer relay = await Support.Cli.StartServerAsync("trace", "0", "127.0.0.1", server.Port.ToString(), "--pcap", pcap);
            Support.Cli.Result search = await Support.Cli.RunAsync("app-client", "127.0.0.1", relay.Port.ToString(), "search", "morpheus", "-q");
            Assert.Equal("Got result: Follow the white rabbit. \U0001F430\n", search.Out);
            string big = new('x', 100_000);
            Support.Cli.Result binary = await Support.Cli.RunAsync("app-client", "127.0.0.1", relay.Port.ToString(), "find", big, "-q");
            Assert.Equal("Got response: b'First 10 bytes of request: findxxxxxx'\n", binary.Out);
            await relay.Out.WaitForAsync(@"conn 2 closed");
            Assert.Equal(0, await relay.StopAsync());

            string trace = relay.Out.ToString();
            Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{6} conn 1 client -> server: message 1: 146 bytes$", trace);
            Assert.Contains("  protoheader: 00 67 (JSON header of 103 bytes)\n" +
                "  header: {\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-encoding\": \"utf-8\", \"content-length\": 41}\n" +
                "  content: 41 bytes, text/json, utf-8\n" +
                "    {\n      \"action\": \"search\",\n      \"value\": \"morpheus\"\n    }\n", trace);
            Assert.Contains("conn 1 server -> client: message 1: 148 bytes", trace);
            Assert.Contains("      \"result\": \"Follow the white rabbit. \U0001F430\"\n", trace);
            Assert.Contains("content: 100,004 bytes, binary/custom-client-binary-type, binary", trace);
            Assert.Contains("    00000000  66 69 6e 64 78 78 78 78  78 78 78 78 78 78 78 78  |findxxxxxxxxxxxx|", trace);
            Assert.Contains("... 99,492 more bytes", trace);

            // The relay's capture opens in tshark, and the dissector decodes it with Decode As on the server's port.
            List<string[]> rows = await DissectAsync(pcap, server.Port);
            Assert.Equal(4, rows.Count);
            Assert.Equal(["text/json", "utf-8", "41", "little", "{\"action\": \"search\", \"value\": \"morpheus\"}"], rows[0][..5]);
            Assert.Equal(["binary/custom-client-binary-type", "binary", "100004", "little"], rows[2][..4]);
            Assert.Equal(100_004 * 2, rows[2][5].Length);
            Assert.True(int.Parse(rows[2][6]) > 1, "the large request spans several segments of the capture");
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    [Fact]
    public async Task TraceRelaysToAUnixSocketUpstreamAndCapturesIt()
    {
        string path = TestTransport.NewSocketPath();
        string pcap = Path.Combine(TestScratch.Directory, $"unix-{Guid.NewGuid():N}.pcap");
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", "app-server", "unix:" + path);
        await using Support.Cli.RunningServer relay = await Support.Cli.StartServerAsync("trace", "0", "unix:" + path, "--pcap", pcap);
        Support.Cli.Result search = await Support.Cli.RunAsync("app-client", "127.0.0.1", relay.Port.ToString(), "search", "morpheus", "-q");
        Assert.Equal((0, "Got result: Follow the white rabbit. \U0001F430\n"), (search.ExitCode, search.Out));
        await relay.Out.WaitForAsync(@"conn 1 closed");
        Assert.Equal(0, await relay.StopAsync());
        string trace = relay.Out.ToString();
        Assert.Contains($"connected; relaying to unix:{path}", trace);
        Assert.Contains("conn 1 server -> client: message 1: 148 bytes", trace);
        // The capture holds the conversation, recorded as with the relay's own address: a pcap has no Unix sockets.
        byte[] captured = await File.ReadAllBytesAsync(pcap);
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.True(captured.AsSpan().IndexOf(v.Request) >= 0, "the request is in the capture");
        Assert.True(captured.AsSpan().IndexOf(v.Response) >= 0, "the response is in the capture");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TracePrintsEveryRequestBeforeItsResponse(bool withPcap)
    {
        string pcap = Path.Combine(TestScratch.Directory, $"order-{Guid.NewGuid():N}.pcap");
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        await using Support.Cli.RunningServer relay = await Support.Cli.StartServerAsync(
            ["trace", "0", "127.0.0.1", server.Port.ToString(), .. withPcap ? new[] { "--pcap", pcap } : []]);
        const int Conversations = 5;
        for (int i = 1; i <= Conversations; i++)
        {
            await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", relay.Port.ToString(), "search", "ring", "-q");
            await relay.Out.WaitForAsync($@"conn {i} closed");
        }
        string trace = relay.Out.ToString();
        for (int i = 1; i <= Conversations; i++)
        {
            int request = trace.IndexOf($"conn {i} client -> server: message 1:", StringComparison.Ordinal);
            int response = trace.IndexOf($"conn {i} server -> client: message 1:", StringComparison.Ordinal);
            Assert.True(request >= 0 && response > request, $"conn {i}: request at {request}, response at {response}\n{trace}");
        }
    }

    [Fact]
    public async Task TraceRelaysBytesThatAreNotProtocolUnchangedAndSaysWhy()
    {
        await using Support.Cli.RunningServer echo = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        await using Support.Cli.RunningServer relay = await Support.Cli.StartServerAsync("trace", "0", "127.0.0.1", echo.Port.ToString(), "--raw");
        byte[] garbage = [0x00, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0xff, 0x00];
        byte[] back = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, relay.Port), garbage, halfClose: true);
        Assert.Equal(garbage, back);
        await relay.Out.WaitForAsync(@"conn 1 closed");
        string trace = relay.Out.ToString();
        Assert.Contains("client -> server: read 9 bytes\n    00000000  00 05 68 65 6c 6c 6f ff  00", trace);
        Assert.Matches(@"client -> server: \d+ bytes that are not valid protocol: \w+: ", trace);
        Assert.Contains("server -> client: ", trace);
    }

    [Fact]
    public void TracerDescribesAMessageFedOneByteAtATime()
    {
        byte[] content = Encoding.UTF8.GetBytes("{\"action\": \"search\", \"value\": \"ring\"}");
        byte[] message = Frames.Raw(Frames.Header(length: content.Length), content);
        var tracer = new ProtocolTracer();
        var described = new List<string>();
        foreach (byte b in message) described.AddRange(tracer.Feed([b]));
        string only = Assert.Single(described);
        Assert.StartsWith($"message 1: {message.Length} bytes\n", only);
        Assert.Contains("      \"value\": \"ring\"\n", only);
        Assert.False(tracer.IsBroken);
    }

    [Fact]
    public void TheTracersOfAConnectionReadAnswersThroughTheClientsConversation()
    {
        byte[] Message(string text, bool keepAlive) =>
            MessageEncoder.Encode(new MessageHeader(ContentTypes.ClientBinary, ContentTypes.BinaryEncoding, text.Length) { KeepAlive = keepAlive }, Encoding.ASCII.GetBytes(text));
        (ProtocolTracer requests, ProtocolTracer answers) = ProtocolTracer.ForConnection();
        // Two pipelined requests asking keep-alive; the first answer refuses it, so the second request is lost with the close.
        Assert.Equal(2, requests.Feed([.. Message("one", keepAlive: true), .. Message("two", keepAlive: true)]).Count);
        string first = Assert.Single(answers.Feed(Message("eno", keepAlive: false)));
        Assert.StartsWith("message 1: ", first);
        Assert.Contains("(the server closes after this answer: 1 request sent after it goes unanswered)", first);
        Assert.False(answers.IsBroken);
        // Bytes after the answer the server closes with were asked for by no one: the protocol is broken there.
        string after = Assert.Single(answers.Feed(Message("owt", keepAlive: false)));
        Assert.Contains("bytes that are not valid protocol: UnrequestedAnswer: ", after);
        Assert.True(answers.IsBroken);
        // A tracer of its own knows no requests: it decodes every message, as before.
        var alone = new ProtocolTracer();
        Assert.Equal(2, alone.Feed([.. Message("eno", keepAlive: false), .. Message("owt", keepAlive: false)]).Count);
        Assert.False(alone.IsBroken);
    }

    [PrivilegedFact("tshark")]
    public async Task DissectorShowsEveryFieldOfACapturedConversationAlsoAcrossSegments()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        string capture = Path.Combine(Path.GetTempPath(), $"socketkit-capture-{Guid.NewGuid():N}.pcapng");
        var start = new ProcessStartInfo("tshark") { RedirectStandardError = true, RedirectStandardOutput = true };
        // -P -l print each packet as it is captured (decoded by the dissector), so the test knows when the last one is in.
        foreach (string arg in new[] { "-i", "lo", "-f", $"tcp port {server.Port}", "-w", capture, "-a", "duration:60", "-P", "-l",
            "-X", $"lua_script:{Dissector}", "-d", $"tcp.port=={server.Port},socketkit" }) start.ArgumentList.Add(arg);
        using Process tshark = Process.Start(start)!;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderr = new StringBuilder();
            tshark.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (stderr) stderr.AppendLine(e.Data);
                if (e.Data.Contains("Capture started", StringComparison.Ordinal)) started.TrySetResult();
            };
            var lastResponse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            tshark.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("Response binary/custom-server-binary-type", StringComparison.Ordinal) == true) lastResponse.TrySetResult();
            };
            tshark.BeginErrorReadLine();
            tshark.BeginOutputReadLine();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, (await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q")).ExitCode);
            Assert.Equal(0, (await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "find", new string('y', 150_000), "-q")).ExitCode);

            await lastResponse.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // SIGINT, not a kill: tshark then writes out what it has captured.
            await ExternalProgram.RunAsync("sh", ["-c", $"kill -INT {tshark.Id}"]); // the shell's builtin: procps may not be installed
            await tshark.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            List<string[]> rows = await DissectAsync(capture, server.Port);
            Assert.Equal(4, rows.Count);
            Assert.Equal(["text/json", "utf-8", "37", "little", "{\"action\": \"search\", \"value\": \"ring\"}"], rows[0][..5]);
            Assert.Equal(["text/json", "utf-8"], rows[1][..2]);
            Assert.Contains("In the caves beneath the Misty Mountains.", rows[1][4]);
            Assert.Equal(["binary/custom-client-binary-type", "binary", "150004", "little"], rows[2][..4]);
            Assert.Equal("66696e64" + string.Concat(Enumerable.Repeat("79", 150_000)), rows[2][5]);
            Assert.True(int.Parse(rows[2][6]) > 1, "a 150,004-byte message cannot fit in one loopback segment");
            byte[] reply = Encoding.ASCII.GetBytes("First 10 bytes of request: findyyyyyy");
            Assert.Equal(["binary/custom-server-binary-type", "binary", reply.Length.ToString(), "little"], rows[3][..4]);
            Assert.Equal(Convert.ToHexStringLower(reply), rows[3][5]);
        }
        finally
        {
            if (!tshark.HasExited) tshark.Kill();
            File.Delete(capture);
        }
    }

    /// <summary>Each SocketKit message tshark finds: content-type, content-encoding, content-length, byteorder, content text, content hex, segments.</summary>
    private static async Task<List<string[]>> DissectAsync(string capture, int port)
    {
        var (code, output, error) = await ExternalProgram.RunAsync("tshark",
            ["-r", capture, "-X", $"lua_script:{Dissector}", "-d", $"tcp.port=={port},socketkit", "-Y", "socketkit",
             "-T", "fields", "-E", "occurrence=f", "-e", "socketkit.content_type", "-e", "socketkit.content_encoding", "-e", "socketkit.content_length",
             "-e", "socketkit.byteorder", "-e", "socketkit.content_text", "-e", "socketkit.content", "-e", "tcp.segment.count"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            string[] f = line.Split('\t');
            if (f[6] == "") f[6] = "1";
            return f;
        })];
    }
}
