using System.Text.RegularExpressions;
using SocketKit.Diagnostics.Ping;

namespace SocketKit.Tests.Diagnostics;

/// <summary>socketkit ping and explain as a user runs them, on loopback.</summary>
[Tier(TestTier.Socket)]
public class PingTests
{
    /// <summary>
    /// As a user without root or CAP_NET_RAW, ICMP goes through a ping group (net.ipv4.ping_group_range) or, as .NET's
    /// last resort, the system's ping program: with either the probes are answered; with neither (as on this project's
    /// CI machines) socketkit says once what ICMP needs and what to do instead, exit 1, not "unexpected error" and 70.
    /// Root runs the child as nobody.
    /// </summary>
    [PrivilegedFact("setpriv")]
    public async Task AsAnUnprivilegedUserIcmpPingPingsThroughThePingProgramOrSaysWhatItNeeds()
    {
        // A copy the unprivileged user can read, wherever the repository is checked out.
        string copy = Path.Combine(TestScratch.Directory, "cli-for-nobody");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)), overwrite: true);
        }
        (int code, string output, string error) = await ExternalProgram.RunAsync("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={copy}", $"DOTNET_CLI_HOME={copy}",
             "dotnet", Path.Combine(copy, "SocketKit.Cli.dll"), "ping", "-c", "2", "-i", "100ms", "127.0.0.1"]);

        // nobody (gid 65534) may send ICMP where a ping group range includes it (systemd's default does), or through
        // the system's ping program; only with neither is ICMP unavailable.
        string[] range = File.ReadAllText("/proc/sys/net/ipv4/ping_group_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        bool pingGroup = long.Parse(range[0]) <= 65534 && 65534 <= long.Parse(range[1]);
        bool pingProgram = new[] { "/bin/ping", "/sbin/ping", "/usr/bin/ping", "/usr/sbin/ping" }.Any(File.Exists);
        if (pingGroup || pingProgram)
        {
            Assert.True(code == 0, error);
            Assert.Matches(@"(?m)^64 bytes from 127\.0\.0\.1: icmp_seq=1 time=", output);
        }
        else
        {
            Assert.True(code == 1, $"exit {code}: {error}");
            Assert.StartsWith("socketkit: this user cannot send ICMP echo: it needs root or CAP_NET_RAW", error);
            Assert.Contains("socketkit ping --tcp HOST PORT needs no privilege", error);
            Assert.DoesNotContain("unexpected", error);
            Assert.DoesNotContain("icmp_seq", output); // Said once, not once a probe.
        }
    }

    [PrivilegedTheory]
    [InlineData("127.0.0.1", @"PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.")]
    [InlineData("::1", @"PING ::1 \(::1\) 56 data bytes")]
    public async Task IcmpPingPrintsRepliesAndStatisticsAsIputils(string host, string firstLine)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "ping", "-c", "3", "-i", "100ms", host);
        // The reply's TTL is known over a raw IPv4 socket (when this process may open one, as root may); a loopback
        // reply leaves with the kernel's default TTL.
        using Socket? raw = host.Contains(':') ? null : RawIcmpV4.TryOpen();
        string ttl = raw is null ? "" : $" ttl={File.ReadAllText("/proc/sys/net/ipv4/ip_default_ttl").Trim()}";
        string[] lines = result.Out.Split('\n');
        Assert.Matches("^" + firstLine + "$", lines[0]);
        var times = new List<double>();
        for (int i = 1; i <= 3; i++)
        {
            Match m = Regex.Match(lines[i], $@"^64 bytes from {Regex.Escape(host)}: icmp_seq={i}{ttl} time=([0-9.]+) ms$");
            Assert.True(m.Success, lines[i]);
            times.Add(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal("", lines[4]);
        Assert.Equal($"--- {host} ping statistics ---", lines[5]);
        Assert.Matches(@"^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$", lines[6]);
        Match rtt = Regex.Match(lines[7], @"^rtt min/avg/max/mdev = ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) ms$");
        Assert.True(rtt.Success, lines[7]);
        double min = double.Parse(rtt.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double max = double.Parse(rtt.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(min, times.Min() - 0.0015, times.Min() + 0.0015 + times.Min() * 0.01);
        Assert.InRange(max, times.Max() * 0.99 - 0.0015, times.Max() * 1.01 + 0.0015);
    }

    [Fact]
    public async Task TcpPingTimesTheConnectToAListenerAndExitsZero()
    {
        using Socket listener = LoopbackListeners.Start(8);
        string port = listener.Port().ToString();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "ping", "--tcp", "-c", "2", "-i", "50ms", "127.0.0.1", port);
        Assert.Matches($@"^connected to 127\.0\.0\.1:{port}: seq=1 time=[0-9.]+ ms$", result.Out.Split('\n')[1]);
        Assert.Contains("2 connects attempted, 2 accepted, 0% failed", result.Out);
    }

    [Fact]
    public async Task QuietPingPrintsOnlyTheHeaderAndTheSummaryAsIputilsDoes()
    {
        using Socket listener = LoopbackListeners.Start(8);
        string port = listener.Port().ToString();
        Support.Cli.Result loud = await Support.Cli.RunAsync("ping", "--tcp", "-c", "2", "-i", "50ms", "127.0.0.1", port);
        Support.Cli.Result quiet = await Support.Cli.RunAsync("ping", "--tcp", "-q", "-c", "2", "-i", "50ms", "127.0.0.1", port);
        Assert.Equal((0, 0), (loud.ExitCode, quiet.ExitCode));
        // The same lines but one per probe: ping -q's "nothing is displayed except the summary lines".
        string[] expected = [.. loud.Out.Split('\n').Where(l => !l.StartsWith("connected to ", StringComparison.Ordinal))];
        string[] got = quiet.Out.Split('\n');
        Assert.Equal(expected.Length, got.Length);
        Assert.Equal(expected[0], got[0]);
        Assert.DoesNotContain(got, l => l.StartsWith("connected to ", StringComparison.Ordinal));
        Assert.Contains("2 connects attempted, 2 accepted, 0% failed", quiet.Out);
        Assert.Matches(@"(?m)^rtt min/avg/max/mdev = ", quiet.Out);
    }

    [Fact]
    public async Task TcpPingToAClosedPortSaysRefusedAndExitsOne()
    {
        // A port that was free a moment ago, and that nothing listens on.
        int port = Ports.Free();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "ping", "--tcp", "-c", "1", "127.0.0.1", port.ToString());
        Assert.Contains($"refused by 127.0.0.1:{port}: seq=1 (ECONNREFUSED", result.Out);
        Assert.Contains("1 connects attempted, 0 accepted, 100% failed", result.Out);
        Assert.DoesNotContain("rtt", result.Out);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, PingOutcome.Refused)]
    [InlineData(SocketError.TimedOut, PingOutcome.TimedOut)]
    [InlineData(SocketError.HostUnreachable, PingOutcome.Unreachable)]
    [InlineData(SocketError.NetworkUnreachable, PingOutcome.Unreachable)]
    [InlineData(SocketError.AccessDenied, PingOutcome.Failed)]
    public void TcpProbeFailuresAreToldApart(SocketError error, PingOutcome expected) =>
        Assert.Equal(expected, Pinger.ClassifyTcpFailure(1, IPAddress.Loopback, error).Outcome);

    [Fact]
    public void StatisticsComputeMdevAsIputils()
    {
        var statistics = new PingStatistics();
        double[] samples = [1.0, 2.0, 4.0];
        foreach (double t in samples) { statistics.Sent(); statistics.Answered(t); }
        statistics.Sent();
        double mean = samples.Average();
        double mdev = Math.Sqrt(samples.Select(t => t * t).Average() - mean * mean);
        Assert.Equal($"rtt min/avg/max/mdev = 1.000/{mean:F3}/4.000/{mdev:F3} ms", statistics.RttLine());
        Assert.Equal("4 packets transmitted, 3 received, 25% packet loss, time 12ms", statistics.SummaryLine(TimeSpan.FromMilliseconds(12)));
    }

    [Theory]
    [InlineData("ping", "127.0.0.1", "80")]
    [InlineData("ping", "--tcp", "127.0.0.1")]
    [InlineData("ping", "-c", "0", "127.0.0.1")]
    public async Task PingUsageErrorsExitTwo(params string[] args)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, args);
        Assert.Contains("Try 'socketkit ping --help'", result.Error);
    }

    [Theory]
    [InlineData("ECONNREFUSED", "ECONNREFUSED (errno 111): Connection refused")]
    [InlineData("98", "EADDRINUSE (errno 98): Address already in use")]
    [InlineData("etimedout", "ETIMEDOUT (errno 110)")]
    [InlineData("EWOULDBLOCK", "EAGAIN (errno 11)")]
    [InlineData("EHOSTUNREACH", "EHOSTUNREACH (errno 113)")]
    [InlineData("ENETUNREACH", "ENETUNREACH (errno 101)")]
    [InlineData("EAI_NONAME", "EAI_NONAME (getaddrinfo -2): Name or service not known")]
    [InlineData("EACCES", "EACCES (errno 13): Permission denied: ports below 1024")]
    [InlineData("ECONNRESET", "ECONNRESET (errno 104)")]
    public async Task ExplainPrintsTheGuidesAdvice(string error, string expected)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "explain", error);
        Assert.StartsWith(expected, result.Out);
        Assert.Contains("  What to check: ", result.Out);
    }

    [Fact]
    public async Task ExplainOfAnUnknownErrorIsAUsageError()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "explain", "EBOGUS");
        Assert.Contains("'EBOGUS' is not an error the guide knows", result.Error);
    }
}
