using System.Diagnostics;
using System.Net.Sockets;
using SocketKit.Applications.App;
using SocketKit.Applications.Echo;
using SocketKit.Diagnostics.Ping;
using SocketKit.Diagnostics.SocketTable;
using SocketKit.Diagnostics.Trace;
using SocketKit.Transport;

namespace SocketKit.Cli.Tour;

/// <summary>The tour's steps through the tutorial's troubleshooting section: ping, netstat, Windows, Wireshark.</summary>
internal sealed partial class GuidedTour
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private async Task PingAsync()
    {
        Heading();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = AnyLoopbackPort }, _ => new EchoHandler(), logger);
        int port = Port(server);

        PingProbe icmp;
        try
        {
            icmp = await Pinger.IcmpAsync(IPAddress.Loopback, 1, 56, ProbeTimeout);
        }
        catch (IcmpUnavailableException unavailable)
        {
            icmp = new PingProbe(1, IPAddress.Loopback, PingOutcome.Failed, TimeSpan.Zero, Detail: unavailable.Message);
        }
        Line("ICMP echo, as ping sends it:");
        Line($"  {PingText.Describe(icmp, isTcp: false, "", ProbeTimeout)}");
        Line(icmp.Outcome == PingOutcome.Replied
            ? "  A reply: the host is up and its network stack answers. It says nothing about any port."
            : "  No reply here: ICMP needs root or CAP_NET_RAW (or the ping program); a firewall may drop it too, so silence alone does not mean down.");

        Line("A TCP handshake instead (ping --tcp), to a port with a server and to one without:");
        string open = $"127.0.0.1:{port}";
        PingProbe listening = await Pinger.TcpAsync(new IPEndPoint(IPAddress.Loopback, port), 1, ProbeTimeout, cancellationToken);
        Line($"  {PingText.Describe(listening, isTcp: true, open, ProbeTimeout)}");
        Line("  Connected: the handshake completed, so a server is listening there.");
        int closedPort = FreePort();
        PingProbe refused = await Pinger.TcpAsync(new IPEndPoint(IPAddress.Loopback, closedPort), 1, ProbeTimeout, cancellationToken);
        Line($"  {PingText.Describe(refused, isTcp: true, $"127.0.0.1:{closedPort}", ProbeTimeout)}");
        Line("  Refused: the host answered the SYN with a reset; it is up, but nothing listens on the port.");
        Line("  A third answer is silence: timed out means the SYN was dropped (a firewall) or the host is down.");
        Next("socketkit ping -c 3 127.0.0.1", "socketkit ping --tcp -c 3 127.0.0.1 65432   # with echo-server running, then without");
    }

    private async Task QueuesAsync()
    {
        Heading();
        // A server that accepts and never reads, as in the tutorial: the client writes until the kernel will take no more.
        using Socket listener = Listeners.Listen(AnyLoopbackPort, 8);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using Socket client = await Listeners.ConnectAsync(listener.LocalEndPoint!, Client.ConnectTimeout, cancellationToken);
        using var acceptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        acceptTimeout.CancelAfter(Client.Timeout);
        using Socket served = await listener.AcceptAsync(acceptTimeout.Token);

        long written = FillUntilWouldBlock(client);
        Line($"The server on 127.0.0.1:{port} accepted a connection and reads nothing; the client wrote {written:N0} bytes");
        Line("until its send() would block (EAGAIN). While the bytes are in flight, the queues are not empty:");
        Table(port);
        Line($"Recv-Q on the server's side: bytes the kernel holds that the server has not read. Send-Q on the client's");
        Line("side: bytes sent but not yet acknowledged, because the server's buffer is full. A growing Recv-Q means a slow");
        Line("reader; a growing Send-Q, a slow network or a peer that stopped reading.");

        await ReceiveExactlyAsync(served, checked((int)written));
        Line($"After the server read all {written:N0} bytes, both queues are empty again:");
        Table(port);
        Next("socketkit netstat -tan --port 65432", "socketkit netstat -tanp -i --port 65432   # -p: the owning process, -i: rtt, cwnd, bytes");
    }

    /// <summary>Writes without blocking until the kernel refuses more (bounded, in case a buffer is unusually large).</summary>
    private static long FillUntilWouldBlock(Socket socket)
    {
        const long Most = 256L * 1024 * 1024;
        socket.Blocking = false;
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        while (written < Most)
        {
            try
            {
                written += socket.Send(chunk);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                break;
            }
        }
        socket.Blocking = true;
        return written;
    }

    private async Task WindowsAsync()
    {
        Heading();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = AnyLoopbackPort }, _ => new EchoHandler(), logger);
        int port = Port(server);
        using (Socket client = await Listeners.ConnectAsync(server.LocalEndPoint, Client.ConnectTimeout, cancellationToken))
        {
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, cancellationToken);
            await ReceiveExactlyAsync(client, 4);
            (IReadOnlyList<SocketEntry> entries, _) = SocketTableReader.Read(new SocketTableQuery { Tcp = true, All = true, Port = port });
            SocketEntry[] ours = [.. entries.Where(e => e.Protocol == "tcp").OrderBy(e => e.IsListening ? 0 : 1).ThenBy(e => e.LocalPort)];
            Line($"The sockets of a connection to 127.0.0.1:{port}, as Windows' `netstat -an` would print them:");
            Line($"  {"Proto",-6} {"Local Address",-22} {"Foreign Address",-22} State");
            foreach (SocketEntry s in ours)
            {
                // Windows writes a listener's peer as 0.0.0.0:0, and has no queue columns.
                string remote = s.IsListening ? "0.0.0.0:0" : s.Remote;
                Line($"  {"TCP",-6} {s.Local,-22} {remote,-22} {WindowsNetstatState(s.State)}");
            }
            Line($"and as PowerShell's `Get-NetTCPConnection` would list them (its State names differ again):");
            Line($"  {"LocalAddress",-12} {"LocalPort",9} {"RemoteAddress",-13} {"RemotePort",10} State");
            foreach (SocketEntry s in ours)
            {
                string remoteAddress = s.IsListening ? "0.0.0.0" : s.Remote[..s.Remote.LastIndexOf(':')];
                Line($"  {s.Local[..s.Local.LastIndexOf(':')],-12} {s.LocalPort,9} {remoteAddress,-13} {(s.IsListening ? 0 : s.RemotePort),10} {PowerShellState(s.State)}");
            }
        }
        Line("The errors have Winsock's names and numbers there (Python on Windows prints [WinError 10061] ...):");
        foreach ((string errno, SocketError winsock, string meaning) in WindowsErrors)
        {
            Line($"  {errno,-12} is {"WSA" + WinsockName(winsock),-16} {(int)winsock}: {meaning}");
        }
        Next("netstat -an | findstr 65432   # Windows, cmd", "Get-NetTCPConnection -LocalPort 65432   # Windows, PowerShell");
    }

    // Linux errno names beside the Winsock errors .NET reports for them; SocketError's values are Winsock's codes.
    private static readonly (string Errno, SocketError Winsock, string Meaning)[] WindowsErrors =
    [
        ("ECONNREFUSED", SocketError.ConnectionRefused, "\"No connection could be made because the target machine actively refused it.\""),
        ("ETIMEDOUT", SocketError.TimedOut, "no answer from the peer in time"),
        ("ECONNRESET", SocketError.ConnectionReset, "the peer reset the connection"),
        ("EADDRINUSE", SocketError.AddressAlreadyInUse, "the address and port are taken"),
        ("EWOULDBLOCK", SocketError.WouldBlock, "a non-blocking call would have to wait"),
    ];

    private static string WinsockName(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.AddressAlreadyInUse => "EADDRINUSE",
        SocketError.WouldBlock => "EWOULDBLOCK",
        _ => error.ToString().ToUpperInvariant(),
    };

    /// <summary>The state as Windows' netstat names it (LISTENING, ESTABLISHED, TIME_WAIT), from the names netstat uses on Linux.</summary>
    private static string WindowsNetstatState(string state) => state switch
    {
        "LISTEN" => "LISTENING",
        "FIN_WAIT1" => "FIN_WAIT_1",
        "FIN_WAIT2" => "FIN_WAIT_2",
        _ => state,
    };

    /// <summary>The state as Get-NetTCPConnection names it (Listen, Established, TimeWait).</summary>
    private static string PowerShellState(string state) => state switch
    {
        "LISTEN" => "Listen",
        "ESTABLISHED" => "Established",
        "TIME_WAIT" => "TimeWait",
        "CLOSE_WAIT" => "CloseWait",
        "FIN_WAIT1" => "FinWait1",
        "FIN_WAIT2" => "FinWait2",
        "SYN_SENT" => "SynSent",
        "SYN_RECV" => "SynReceived",
        "LAST_ACK" => "LastAck",
        "CLOSING" => "Closing",
        _ => state,
    };

    private async Task WiresharkAsync()
    {
        Heading();
        await using AppServer server = new AppServer(new ServerOptions { EndPoint = AnyLoopbackPort }, logger).Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        string pcap = Path.Combine(Path.GetTempPath(), $"socketkit-tour-{Environment.ProcessId}.pcap");
        try
        {
            int relayPort;
            var traced = new List<TraceEvent>();
            await using (TraceRelay relay = TraceRelay.Start(AnyLoopbackPort, "127.0.0.1", port, new Diagnostics.Trace.TraceOptions { PcapPath = pcap }, e =>
            {
                lock (traced)
                {
                    traced.Add(e);
                }
            }))
            {
                relayPort = relay.LocalEndPoint.Port;
                await AppClient.RequestAsync("127.0.0.1", relayPort, AppRequests.Json("search", "morpheus"), Client, logger, cancellationToken: cancellationToken);
                await WaitForAsync(() =>
                {
                    lock (traced)
                    {
                        return traced.Any(e => e.Text == "closed");
                    }
                });
            }
            Line($"trace relayed one app-client conversation from 127.0.0.1:{relayPort} to app-server on 127.0.0.1:{port},");
            Line($"printing each message decoded, and wrote it to {pcap} ({new FileInfo(pcap).Length:N0} bytes):");
            lock (traced)
            {
                // The events' own lines, without the hex dumps under them.
                var trace = new TraceText();
                foreach (string line in traced.Select(e => trace.Render(e).Split('\n')[0]))
                {
                    Line($"  {line}");
                }
            }
            string dissector = Path.Combine(AppContext.BaseDirectory, "wireshark", "socketkit.lua");
            string[] tshark = ["-r", pcap, "-X", $"lua_script:{dissector}", "-d", $"tcp.port=={port},socketkit", "-Y", "socketkit"];
            Line("Open it with the project's dissector, which decodes the protocol's header and content:");
            Line($"  wireshark -X lua_script:{dissector} {pcap}   # then Decode As: TCP port {port} as SOCKETKIT");
            Line($"  tshark {string.Join(' ', tshark)}");
            await ShowTsharkAsync(tshark);
            Line(keep ? $"The capture stays in {pcap} (--keep)." : "The tour removes the capture when this step ends; --keep leaves it.");
            Next("socketkit trace 65433 127.0.0.1 65432 --pcap conversation.pcap   # then point the client at 65433",
                $"tshark -r conversation.pcap -X lua_script:{dissector} -Y socketkit -O socketkit");
        }
        finally
        {
            // What the tour writes, it removes, unless asked to keep it for Wireshark.
            if (!keep)
            {
                File.Delete(pcap);
            }
        }
    }

    /// <summary>Runs tshark on the capture where it is installed, and shows what it decoded.</summary>
    private async Task ShowTsharkAsync(string[] arguments)
    {
        string? program = FindOnPath("tshark");
        if (program is null)
        {
            Line("  (tshark is not installed here: `apt-get install tshark` to see its decoding in this step)");
            return;
        }
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Line("  (tshark did not finish within 30 s)");
            return;
        }
        Line(process.ExitCode == 0 ? "tshark decodes it as:" : $"tshark exited {process.ExitCode}: {(await error).Trim()}");
        foreach (string line in (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Line($"  {line.TrimEnd()}");
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Waits for something the library does on its own threads, within the client timeout.</summary>
    private async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Client.Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>A port that was free a moment ago and has no listener now: the kernel answers a SYN to it with a reset.</summary>
    private static int FreePort()
    {
        using Socket probe = Listeners.Listen(AnyLoopbackPort, 1);
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
