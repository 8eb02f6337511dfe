using System.Text.Json;

namespace SocketKit.Tests.Diagnostics;

/// <summary>socketkit netstat against the kernel's own view, as ss prints it, on sockets these tests open.</summary>
[Tier(TestTier.Socket)]
public class NetstatTests
{
    private sealed record Row(string State, long RecvQ, long SendQ, string Local, string Remote);

    [ExternalFact("ss")]
    public async Task NetstatAgreesWithSsOnQueuesOfAFullAcceptQueueAndAStalledConnection()
    {
        using Socket listener = LoopbackListeners.Start(7);
        int port = listener.Port();

        // One connection accepted whose server side never reads, so both queues fill; two left in the accept queue.
        using Socket sender = await RawClient.ConnectAsync(listener.LocalEndPoint!);
        using Socket stalled = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = new List<Socket>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                waiting.Add(await RawClient.ConnectAsync(listener.LocalEndPoint!));
            }
            sender.Blocking = false;
            byte[] chunk = new byte[64 * 1024];
            long sent = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10) && sent < 256L * 1024 * 1024)
            {
                try { sent += sender.Send(chunk); }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock) { break; }
            }

            // Loopback may still be moving bytes from one queue to the other: compare when ss sees the same twice in a row.
            for (int attempt = 1; ; attempt++)
            {
                HashSet<Row> before = await SsAsync(port);
                HashSet<Row> ours = await NetstatAsync(port);
                HashSet<Row> after = await SsAsync(port);
                if (before.SetEquals(after) || attempt == 20)
                {
                    Assert.True(before.SetEquals(after), "ss never saw a stable table");
                    Assert.Equal(Sorted(before), Sorted(ours));
                    break;
                }
            }
            HashSet<Row> final = await NetstatAsync(port);
            Row listen = Assert.Single(final, r => r.State == "LISTEN");
            Assert.Equal(2, listen.RecvQ);
            Assert.Equal(7, listen.SendQ);
            Assert.Contains(final, r => r.State == "ESTABLISHED" && r.SendQ > 0);
            Assert.Contains(final, r => r.State == "ESTABLISHED" && r.RecvQ > 0);
        }
        finally
        {
            foreach (Socket s in waiting) s.Dispose();
        }
    }

    [ExternalFact("python3")]
    public async Task NetstatWithBundledFlagsNamesTheProcessOfAListenerOpenedByAnotherProgram()
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(3)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()");
        using Process python = Process.Start(start)!;
        try
        {
            string port = (await python.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)))!.Trim();
            Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "ss", "-tlnp", "--port", port);
            string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("Proto    Recv-Q Send-Q Local Address", lines[0]);
            string line = Assert.Single(lines.Skip(1));
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["tcp", "0", "3", $"127.0.0.1:{port}", "0.0.0.0:*", "LISTEN", $"{python.Id}/python3"], f);
        }
        finally
        {
            python.Kill();
            await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task NetstatLeavesListenersOutWithoutAOrL()
    {
        using Socket listener = LoopbackListeners.Start(1);
        string port = listener.Port().ToString();
        Support.Cli.Result plain = await Support.Cli.RunAsync("netstat", "-tn", "--port", port, "--json");
        Support.Cli.Result listening = await Support.Cli.RunAsync("netstat", "-tln", "--port", port, "--json");
        // Only the listener is ours: a TIME_WAIT left by another test may share the port number, so look for LISTEN rows.
        Assert.DoesNotContain(JsonDocument.Parse(plain.Out).RootElement.EnumerateArray(), row => row.GetProperty("state").GetString() == "LISTEN");
        Assert.Equal("LISTEN", Assert.Single(JsonDocument.Parse(listening.Out).RootElement.EnumerateArray()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task NetstatInfoShowsTheBytesAConnectionReceived()
    {
        using Socket listener = LoopbackListeners.Start(1);
        int port = listener.Port();
        using Socket client = await RawClient.ConnectAsync(listener.LocalEndPoint!);
        using Socket server = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        byte[] payload = new byte[12_345];
        await client.SendAsync(payload);
        byte[] received = await RawClient.ReadExactlyAsync(server, payload.Length, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal(payload.Length, received.Length);

        Support.Cli.Result result = await Support.Cli.RunAsync("netstat", "-tani", "--port", port.ToString(), "--state", "estab", "--json");
        JsonElement serverSide = Assert.Single(JsonDocument.Parse(result.Out).RootElement.EnumerateArray(),
            e => e.GetProperty("local").GetString() == $"127.0.0.1:{port}");
        JsonElement info = serverSide.GetProperty("tcp_info");
        Assert.Equal(payload.Length, info.GetProperty("bytes_received").GetInt64());
        Assert.True(info.GetProperty("cwnd").GetInt64() > 0);
        Assert.Contains("\t rtt:", (await Support.Cli.RunAsync("netstat", "-tani", "--port", port.ToString())).Out);
    }

    private static List<Row> Sorted(IEnumerable<Row> rows) => [.. rows.OrderBy(r => r.ToString(), StringComparer.Ordinal)];

    private static async Task<HashSet<Row>> NetstatAsync(int port)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "netstat", "-tan", "--port", port.ToString(), "--json");
        return [.. JsonDocument.Parse(result.Out).RootElement.EnumerateArray().Select(e => new Row(
            e.GetProperty("state").GetString()!, e.GetProperty("recv_q").GetInt64(), e.GetProperty("send_q").GetInt64(),
            e.GetProperty("local").GetString()!, e.GetProperty("remote").GetString()!))];
    }

    private static async Task<HashSet<Row>> SsAsync(int port)
    {
        var (code, output, error) = await ExternalProgram.RunAsync("ss", ["-tanH", $"sport = :{port} or dport = :{port}"]);
        Assert.True(code == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string state = f[0] switch { "ESTAB" => "ESTABLISHED", "UNCONN" => "UNCONN", var s => s.Replace('-', '_') };
            return new Row(state, long.Parse(f[1]), long.Parse(f[2]), f[3], f[4]);
        })];
    }
}

/// <summary>netstat's UDP and Unix tables against ss on sockets these tests open.</summary>
[Tier(TestTier.Socket)]
public class NetstatUdpAndUnixTests
{
    [ExternalFact("ss")]
    public async Task AnUnconnectedUdpSocketIsListedAsSsListsIt()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        Support.Cli.Result ours = await Support.Cli.RunAsync("netstat", "-uln", "--port", port.ToString(), "--json");
        JsonElement entry = Assert.Single(JsonDocument.Parse(ours.Out).RootElement.EnumerateArray());
        var (_, ss, _) = await ExternalProgram.RunAsync("ss", ["-ulnH", $"sport = :{port}"]);
        string[] f = ss.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal<string[]>([f[0], f[1], f[2], f[3], f[4]],
            [entry.GetProperty("state").GetString()!, entry.GetProperty("recv_q").GetInt64().ToString(), entry.GetProperty("send_q").GetInt64().ToString(),
             entry.GetProperty("local").GetString()!, entry.GetProperty("remote").GetString()!]);
    }

    [ExternalFact("ss")]
    public async Task AUnixListenerIsListedWithItsPathInodeAndBacklog()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sk-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(6);
        try
        {
            Support.Cli.Result ours = await Support.Cli.RunAsync("netstat", "-xl", "--json");
            JsonElement entry = Assert.Single(JsonDocument.Parse(ours.Out).RootElement.EnumerateArray(),
                e => e.GetProperty("local").GetString()!.StartsWith(path + " ", StringComparison.Ordinal));
            var (_, ss, _) = await ExternalProgram.RunAsync("ss", ["-xlH", $"src {path}"]);
            string[] f = ss.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            // ss -x: Netid State Recv-Q Send-Q Local-path Local-inode Peer Peer-inode
            Assert.Equal(["u_str", "LISTEN", "0", "6", path], f[..5]);
            Assert.Equal($"{path} {f[5]}", entry.GetProperty("local").GetString());
            Assert.Equal<string[]>(["unix_str", "LISTEN", "0", "6"],
                [entry.GetProperty("proto").GetString()!, entry.GetProperty("state").GetString()!, entry.GetProperty("recv_q").GetInt64().ToString(), entry.GetProperty("send_q").GetInt64().ToString()]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
