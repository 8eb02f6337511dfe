using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace SocketKit.Tests.Support;

/// <summary>
/// Two network namespaces of this test run joined by a veth pair: a server side (10.213.N.1) and a client side
/// (10.213.N.2), with nothing else in either, so no packet can leave them. Needs root (CI is root) and ip, nft, tc.
/// Removing the namespaces removes the link, its queueing disciplines and the nftables rules with them.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private static int s_count;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private readonly string _serverLink;
    private readonly string _clientLink;

    public NetworkLab()
    {
        // Unique per process and per lab, so parallel runs on one machine never meet; interface names fit in 15 bytes.
        int id = Interlocked.Increment(ref s_count);
        string tag = $"{Environment.ProcessId % 100_000}x{id}";
        ServerNamespace = $"sks{tag}";
        ClientNamespace = $"skc{tag}";
        _serverLink = $"sks{tag}";
        _clientLink = $"skc{tag}";
        int subnet = (Environment.ProcessId * 7 + id) % 250;
        ServerAddress = IPAddress.Parse($"10.213.{subnet}.1");
        ClientAddress = IPAddress.Parse($"10.213.{subnet}.2");
        try
        {
            Ip("netns", "add", ServerNamespace);
            Ip("netns", "add", ClientNamespace);
            Ip("link", "add", _serverLink, "netns", ServerNamespace, "type", "veth", "peer", "name", _clientLink, "netns", ClientNamespace);
            foreach ((string ns, string link, IPAddress address) in new[] { (ServerNamespace, _serverLink, ServerAddress), (ClientNamespace, _clientLink, ClientAddress) })
            {
                Ip("-n", ns, "addr", "add", $"{address}/30", "dev", link);
                Ip("-n", ns, "link", "set", link, "up");
                Ip("-n", ns, "link", "set", "lo", "up");
            }
            Server = new NamespaceThread(ServerNamespace);
            Client = new NamespaceThread(ClientNamespace);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ServerNamespace { get; }
    public string ClientNamespace { get; }
    public IPAddress ServerAddress { get; }
    public IPAddress ClientAddress { get; }

    /// <summary>Runs code in the server namespace: sockets made there belong to it.</summary>
    public NamespaceThread Server { get; } = null!;

    /// <summary>Runs code in the client namespace.</summary>
    public NamespaceThread Client { get; } = null!;

    /// <summary>
    /// Drops <paramref name="percent"/>% of the packets each side receives, at random (nftables; this kernel has no
    /// netem). The drop is on arrival, never on departure: a packet dropped in the sender's own output hook fails
    /// its send with EPERM, so the sender's kernel knows of a loss that a wire would hide, and acts on it as on no
    /// real link. Linux drops a half-open connection whose SYN-ACK retransmission fails to send (reqsk_timer_handler),
    /// so a client whose handshake ACK was lost is reset when it finally sends; and a data segment whose send fails is
    /// retried by the zero-window probe timer with backoff (3, 6, 12 s) instead of by retransmission.
    /// </summary>
    public void DropAtRandom(int percent)
    {
        foreach (string ns in new[] { ServerNamespace, ClientNamespace })
        {
            Run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "chaos");
            Run("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "chaos", "in", "{ type filter hook prerouting priority -300 ; }");
            Run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "chaos", "in", "iifname", ns == ServerNamespace ? _serverLink : _clientLink,
                "numgen", "random", "mod", "100", "<", percent.ToString(), "counter", "drop");
        }
    }

    /// <summary>How many packets the random-drop rules have dropped so far, both sides together.</summary>
    public long DroppedPackets()
    {
        long dropped = 0;
        foreach (string ns in new[] { ServerNamespace, ClientNamespace })
        {
            string table = Run("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "chaos");
            System.Text.RegularExpressions.Match counter = System.Text.RegularExpressions.Regex.Match(table, @"counter packets (\d+)");
            dropped += counter.Success ? long.Parse(counter.Groups[1].Value) : throw new InvalidOperationException($"no counter in: {table}");
        }
        return dropped;
    }

    /// <summary>
    /// Narrows the link to <paramref name="rate"/> (tc's units, e.g. 10mbit) each way with a token bucket. Its queue
    /// (4 MB) holds more than the test's connections can have in flight, so the shaper delays and never drops: a drop
    /// in the sender's own queue is a failed send its kernel sees (see <see cref="DropAtRandom"/>), not a loss on the
    /// way. The losses are <see cref="DropAtRandom"/>'s.
    /// </summary>
    public void LimitRate(string rate)
    {
        Run("tc", "-n", ServerNamespace, "qdisc", "add", "dev", _serverLink, "root", "tbf", "rate", rate, "burst", "32kbit", "limit", "4mb");
        Run("tc", "-n", ClientNamespace, "qdisc", "add", "dev", _clientLink, "root", "tbf", "rate", rate, "burst", "32kbit", "limit", "4mb");
    }

    /// <summary>Packets the rate limiter dropped from its queue, both sides together (tc's "dropped" count).</summary>
    public long ShaperDrops()
    {
        long dropped = 0;
        foreach ((string ns, string link) in new[] { (ServerNamespace, _serverLink), (ClientNamespace, _clientLink) })
        {
            string stats = Run("tc", "-s", "-n", ns, "qdisc", "show", "dev", link);
            System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(stats, @"dropped (\d+)");
            dropped += m.Success ? long.Parse(m.Groups[1].Value) : throw new InvalidOperationException($"no drop count in: {stats}");
        }
        return dropped;
    }

    /// <summary>
    /// What both ends' TCP stacks and the link look like now, for a failure to explain itself: every connection that
    /// is not in TIME-WAIT with its timers and TCP state (ss -tino: rto, backoff, rtt, retransmissions, unacked
    /// segments, queues), each stack's retransmission, timeout and abort counters (nstat), each shaper's queue (tc -s).
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        var text = new StringBuilder();
        foreach ((string ns, string link) in new[] { (ServerNamespace, _serverLink), (ClientNamespace, _clientLink) })
        {
            TimeSpan timeout = TimeSpan.FromSeconds(10);
            text.AppendLine($"--- {(ns == ServerNamespace ? "server" : "client")} side ({ns}, {(ns == ServerNamespace ? ServerAddress : ClientAddress)})");
            foreach (string[] command in (string[][])[
                ["ss", "-tino", "state", "all", "exclude", "time-wait"],
                ["nstat", "-asz", .. StackCounters],
                ["tc", "-s", "qdisc", "show", "dev", link]])
            {
                try
                {
                    (int code, string output, string error) = await RunInAsync(ns, timeout, command);
                    text.AppendLine($"$ {string.Join(' ', command)}{(code == 0 ? "" : $" (exit {code}: {error.Trim()})")}");
                    // ss pads its columns to the terminal's width; the padding says nothing.
                    foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries)) text.AppendLine(System.Text.RegularExpressions.Regex.Replace(line.TrimEnd(), " {2,}", " "));
                }
                catch (TimeoutException)
                {
                    text.AppendLine($"$ {string.Join(' ', command)}: no answer within {timeout.TotalSeconds} s");
                }
            }
        }
        return text.ToString();
    }

    /// <summary>The kernel's counters that tell how TCP recovered from loss: timeouts and their backoff, probes, aborts, resets.</summary>
    private static readonly string[] StackCounters =
    [
        "TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPLossProbes", "TcpExtTCPLossProbeRecovery", "TcpExtTCPSpuriousRTOs",
        "TcpExtTCPSynRetrans", "TcpExtTCPAbortOnTimeout", "TcpExtTCPAbortOnData", "TcpExtTCPAbortOnClose", "TcpOutRsts",
        "TcpEstabResets", "TcpAttemptFails", "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop",
    ];

    /// <summary>Runs a program in a namespace to its end, within <paramref name="timeout"/>; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunInAsync(string ns, TimeSpan timeout, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["netns", "exec", ns, .. command]) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        Server?.Dispose();
        Client?.Dispose();
        foreach (string ns in new[] { ServerNamespace, ClientNamespace })
        {
            if (File.Exists($"/var/run/netns/{ns}"))
            {
                Run("ip", "netns", "del", ns);
            }
        }
    }

    private static void Ip(params string[] args) => Run("ip", args);


    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {CommandTimeout}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Result}");
        }
        return output;
    }
}

/// <summary>
/// A thread that has entered a network namespace (setns affects only the calling thread). Work given to it runs
/// there up to its first await, which is where sockets are made: a socket belongs to the namespace it was made in,
/// wherever it is used afterwards.
/// </summary>
public sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public NamespaceThread(string ns)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), 0x40000000 /* CLONE_NEWNET */) != 0)
                {
                    throw new InvalidOperationException($"setns into {ns} failed: errno {Marshal.GetLastPInvokeError()}");
                }
                entered.SetResult();
            }
            catch (Exception ex)
            {
                entered.SetException(ex);
                return;
            }
            foreach (Action action in _work.GetConsumingEnumerable())
            {
                action();
            }
        })
        { IsBackground = true, Name = $"netns {ns}" };
        _thread.Start();
        // WaitAny does not throw for a faulted task: GetResult then throws its exception as it was.
        TimeSpan timeout = TimeSpan.FromSeconds(10);
        if (Task.WaitAny([entered.Task], timeout) < 0)
        {
            throw new TimeoutException($"the thread for namespace {ns} did not enter it within {timeout.TotalSeconds} s");
        }
        entered.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="make"/> on the namespace's thread and returns what it made.</summary>
    public Task<T> Run<T>(Func<T> make)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(make());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>A TCP socket made in this namespace, connected to <paramref name="endPoint"/> within <paramref name="timeout"/>.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Socket socket = await Run(() => Listeners.CreateStreamSocket(endPoint));
        Listeners.SetNoDelay(socket);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, timer.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(10));
        _work.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054
    private static extern int setns(int fd, int nstype);
#pragma warning restore SYSLIB1054
}
