using SocketKit.Protocol.Python;

namespace SocketKit.Tests.Cli;

/// <summary>What the clients show and check: -v prints the bytes as the tour does, and echo-client knows an echo from an answer.</summary>
[Tier(TestTier.Socket)]
public class ClientCommandTests
{
    /// <summary>The server the echo client talks to, by transport: plain TCP, TLS, a Unix socket.</summary>
    private static async Task<(Support.Cli.RunningServer Server, string[] Target)> StartEchoServerAsync(string transport)
    {
        switch (transport)
        {
            case "tls":
                Support.Cli.RunningServer tls = await Support.Cli.StartTlsServerAsync("echo-server");
                return (tls, ["127.0.0.1", tls.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tls-insecure"]);
            case "unix":
                string path = TestTransport.NewSocketPath();
                Support.Cli.RunningServer unix = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", "echo-server", "unix:" + path);
                return (unix, ["unix:" + path]);
            default:
                Support.Cli.RunningServer plain = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
                return (plain, ["127.0.0.1", plain.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("tls")]
    [InlineData("unix")]
    public async Task VerboseEchoClientShowsTheBytesSentAndReceivedAsPythonPrintsThem(string transport)
    {
        (Support.Cli.RunningServer server, string[] target) = await StartEchoServerAsync(transport);
        await using Support.Cli.RunningServer _ = server;
        string message = "Hello, 'world'\n\u00e9";
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, ["echo-client", target[0], .. target.Skip(1).Take(1).Where(_ => transport != "unix"), message, .. target.Skip(2), "-v"]);
        string bytes = PythonBytes.Repr(Encoding.UTF8.GetBytes(message));
        Assert.Contains($"Sending {bytes} on connection 1", result.Error);
        // The echo may come back in pieces: the pieces, in order, are the message.
        string received = string.Concat(System.Text.RegularExpressions.Regex.Matches(result.Error, @"^Received (b['""].*['""]) on connection 1$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value[2..^1]));
        Assert.Equal(bytes[2..^1], received);
        Assert.Contains("(echo complete)", result.Error);
    }

    [Fact]
    public async Task VerboseAppClientShowsProtoheaderJsonHeaderAndContent()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "search", "morpheus", "-v");
        // The reference conversation's bytes, as the tour shows them: protoheader, JSON header, content.
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        Assert.Contains($"Sending on connection 1: {Parts(v.Request)}", result.Error);
        Assert.Contains($"Received on connection 1: {Parts(v.Response)}", result.Error);
    }

    private static string Parts(byte[] frame)
    {
        int headerLength = (frame[0] << 8) | frame[1];
        return $"protoheader {PythonBytes.Repr(frame.AsSpan(0, 2))}, JSON header {PythonBytes.Repr(frame.AsSpan(2, headerLength))}, content {PythonBytes.Repr(frame.AsSpan(2 + headerLength))}";
    }

    [Fact]
    public async Task EchoClientFailsWhenTheAnswerIsNotTheEchoAndShowsWhereItDiffers()
    {
        // A server that answers every byte, but upper-cased: the right length, the wrong bytes.
        using Socket listener = LoopbackListeners.Start();
        Task serving = Task.Run(async () =>
        {
            using Socket client = await listener.AcceptAsync();
            var buffer = new byte[1024];
            int n;
            while ((n = await client.ReceiveAsync(buffer)) > 0)
            {
                byte[] upper = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(buffer, 0, n).ToUpperInvariant());
                await client.SendAsync(upper);
            }
        });
        const string message = "Hello, world";
        Support.Cli.Result result = await Support.Cli.RunAsync("echo-client", "127.0.0.1", listener.Port().ToString(System.Globalization.CultureInfo.InvariantCulture), message);
        await serving.WaitAsync(TimeSpan.FromSeconds(10));

        string answer = message.ToUpperInvariant();
        int first = Enumerable.Range(0, message.Length).First(i => message[i] != answer[i]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"Received {PythonBytes.Repr(Encoding.ASCII.GetBytes(answer))}\n", result.Out);
        Assert.Contains($"socketkit: the echo differs from what was sent, from byte {first} on: sent {PythonBytes.Repr(Encoding.ASCII.GetBytes(message[first..]))}, received {PythonBytes.Repr(Encoding.ASCII.GetBytes(answer[first..]))}.", result.Error);
        Assert.Contains("(echo received, but it differs from what was sent)", result.Error);
        Assert.DoesNotContain("echo complete", result.Error);
    }

    [Fact]
    public async Task MultiConnClientTimeoutCountsFromTheConnectAndIsReportedAsGiven()
    {
        // A server that accepts and never answers: each connection waits for its echo until --timeout.
        using Socket listener = LoopbackListeners.Start();
        TimeSpan timeout = TimeSpan.FromMilliseconds(500);
        var clock = Stopwatch.StartNew();
        Support.Cli.Result result = await Support.Cli.RunAsync("multiconn-client", "127.0.0.1", listener.Port().ToString(System.Globalization.CultureInfo.InvariantCulture), "2",
            "--timeout", SocketKit.Transport.Settings.Durations.Format(timeout));
        clock.Stop();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"timed out after {SocketKit.Transport.Settings.Durations.Format(timeout)} waiting for the echo", result.Out);
        // The connect is at once on loopback: the run lasts the timeout, not the connect timeout (10s) on top of it.
        Assert.InRange(clock.Elapsed, timeout, timeout + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task EchoClientTimeoutBoundsTheWholeExchangeNotEachRead()
    {
        // A server that echoes one byte at a time, each well within the timeout, the whole far past it.
        using Socket listener = LoopbackListeners.Start();
        TimeSpan timeout = TimeSpan.FromMilliseconds(600), perByte = TimeSpan.FromMilliseconds(150);
        const string message = "a message of many bytes";
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task trickling = Task.Run(async () =>
        {
            using Socket client = await listener.AcceptAsync(stop.Token);
            var buffer = new byte[message.Length];
            int got = 0;
            while (got < buffer.Length) got += await client.ReceiveAsync(buffer.AsMemory(got), stop.Token);
            try
            {
                foreach (byte b in buffer)
                {
                    await Task.Delay(perByte, stop.Token);
                    await client.SendAsync(new[] { b }, stop.Token);
                }
            }
            catch (SocketException)
            {
                // The client gave up, as it should.
            }
        });
        var clock = Stopwatch.StartNew();
        Support.Cli.Result result = await Support.Cli.RunAsync("echo-client", "127.0.0.1", listener.Port().ToString(System.Globalization.CultureInfo.InvariantCulture), message,
            "--timeout", SocketKit.Transport.Settings.Durations.Format(timeout));
        clock.Stop();
        await stop.CancelAsync();
        await Task.WhenAny(trickling, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, result.ExitCode);
        Assert.Matches($@"and sent {message.Length} bytes; \d+ of them came back in {SocketKit.Transport.Settings.Durations.Format(timeout)}, then nothing", result.Error);
        Assert.True(perByte * message.Length > timeout * 2, "the trickle outlasts the timeout");
        Assert.InRange(clock.Elapsed, timeout, timeout + TimeSpan.FromSeconds(3));
    }
}
