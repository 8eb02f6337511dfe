using System.Text.RegularExpressions;
using SocketKit.Cli.Tour;

namespace SocketKit.Tests.Cli;

/// <summary>socketkit tour, run as the README's first command is run.</summary>
[Tier(TestTier.Socket)]
public class TourCommandTests
{
    [PrivilegedFact("tshark")]
    public async Task TheTourRunsEveryStepAndSaysWhatToReadAndRunAfterEach()
    {
        Support.Cli.Result tour = await Support.Cli.RunExpectingAsync(0, "tour");
        Assert.Equal("", tour.Error); // The programs' events appear only with -v.
        string output = tour.Out;
        Assert.DoesNotContain("\u001b[", output); // Not a terminal: no colour.

        int steps = GuidedTour.Steps.Count;
        string[] headings = [.. Regex.Matches(output, @"^(\d+)/(\d+) (.+)$", RegexOptions.Multiline).Select(m => m.Value)];
        Assert.Equal(GuidedTour.Steps.Select((s, i) => $"{i + 1}/{steps} {s.Title}"), headings);
        string[] reads = [.. Regex.Matches(output, @"^Read:  ""(.+)"" (https://realpython\.com/python-sockets/#[a-z-]+)$", RegexOptions.Multiline).Select(m => $"{m.Groups[1]} {m.Groups[2]}")];
        Assert.Equal(GuidedTour.Steps.Select(s => $"{s.Section} {s.Url}"), reads);
        Assert.Equal(steps, Regex.Matches(output, @"^Try:   (socketkit|echo|ss|netstat) ", RegexOptions.Multiline).Count);

        Assert.Contains("got back b'Hello, world'", output);
        Assert.Equal(2, Regex.Matches(output, @"sent its two messages and got back b'Message 1 from client\.Message 2 from client\.'").Count);

        // The socket table while the connection is open: the listener and both ends, on the port the step chose.
        int port = int.Parse(Regex.Match(output, @"While a client is connected to 127\.0\.0\.1:(\d+)").Groups[1].Value);
        // As ss shows a listener: nothing waiting to be accepted, and its backlog (the server's, capped by the kernel) as Send-Q.
        int backlog = Math.Min(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }.Backlog,
            int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn")));
        Assert.Matches($@"LISTEN +0 +{backlog} +127\.0\.0\.1:{port} ", output);
        Assert.Equal(2, Regex.Matches(output, $@"ESTAB .*127\.0\.0\.1:{port}\b").Count);
        Assert.Matches($@"TIME-WAIT .*127\.0\.0\.1:{port}\n", output);

        Assert.Contains("{\"action\": \"search\", \"value\": \"morpheus\"}", output);
        Assert.Contains("proto-header: the JSON header is", output);
        Assert.Contains("Got result: Follow the white rabbit. \U0001F430", output);
        Assert.Contains("ECONNREFUSED", output);
        Assert.EndsWith("docs/ for the protocol and the architecture.\n", output);
        File.Delete(Regex.Match(output, @"wrote it to (\S+\.pcap)").Groups[1].Value); // left for a reader to open; not for a test run
    }

    [PrivilegedFact]
    public async Task ThePingStepShowsAnIcmpReplyAndTheTwoTcpAnswers()
    {
        string output = await StepAsync(6);
        // As root (the test machines), ICMP goes out on a raw socket and the reply carries its TTL.
        Assert.Matches(@"\n  \d+ bytes from 127\.0\.0\.1: icmp_seq=1 ttl=\d+ time=[\d.]+ ms\n  A reply: the host is up", output);
        Assert.Matches(@"\n  connected to 127\.0\.0\.1:\d+: seq=1 time=[\d.]+ ms\n  Connected: .* a server is listening", output);
        Assert.Matches(@"\n  refused by 127\.0\.0\.1:\d+: seq=1 \(ECONNREFUSED: .*\)\n  Refused: ", output);
    }

    [Fact]
    public async Task TheNetstatStepShowsQueuesFullWhileDataIsInFlightAndEmptyAfter()
    {
        string output = await StepAsync(7);
        Match intro = Matched(output, @"The server on 127\.0\.0\.1:(\d+) accepted a connection and reads nothing; the client wrote ([\d,]+) bytes");
        string port = intro.Groups[1].Value;
        long written = long.Parse(intro.Groups[2].Value.Replace(",", ""));
        string[] tables = output.Split("Local Address:Port")[1..];
        Assert.Equal(2, tables.Length);

        // ESTAB RECVQ SENDQ LOCAL PEER: the server's side has the port as its local address, the client's as its peer.
        (long RecvQ, long SendQ) Row(string table, bool serverSide)
        {
            Match row = Matched(table, serverSide ? $@"ESTAB +(\d+) +(\d+) +127\.0\.0\.1:{port} " : $@"ESTAB +(\d+) +(\d+) +127\.0\.0\.1:\d+ +127\.0\.0\.1:{port}\n");
            return (long.Parse(row.Groups[1].Value), long.Parse(row.Groups[2].Value));
        }
        (long serverRecvQ, _) = Row(tables[0], serverSide: true);
        (_, long clientSendQ) = Row(tables[0], serverSide: false);
        Assert.True(serverRecvQ > 0, "the server's unread bytes show in its Recv-Q");
        Assert.True(clientSendQ > 0, "the client's unacknowledged bytes show in its Send-Q");
        // Neither queue holds more than was written.
        Assert.InRange(serverRecvQ, 1, written);
        Assert.InRange(clientSendQ, 1, written);
        Assert.Equal((0L, 0L), Row(tables[1], serverSide: true));
        Assert.Equal((0L, 0L), Row(tables[1], serverSide: false));
    }

    [Fact]
    public async Task TheWindowsStepShowsTheSameSocketsAndErrorsInWindowsWords()
    {
        string output = await StepAsync(8);
        string port = Regex.Match(output, @"The sockets of a connection to 127\.0\.0\.1:(\d+)").Groups[1].Value;
        Assert.Matches($@"\n  TCP +127\.0\.0\.1:{port} +0\.0\.0\.0:0 +LISTENING\n", output);
        Assert.Equal(2, Regex.Matches(output, $@"\n  TCP +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+ +ESTABLISHED").Count);
        Assert.Matches($@"\n  127\.0\.0\.1 +{port} 0\.0\.0\.0 +0 Listen\n", output);
        Assert.Equal(2, Regex.Matches(output, @" Established\n").Count);
        Assert.Contains($"ECONNREFUSED is WSAECONNREFUSED  {(int)SocketError.ConnectionRefused}:", output);
        Assert.Contains($"EADDRINUSE   is WSAEADDRINUSE    {(int)SocketError.AddressAlreadyInUse}:", output);
    }

    [ExternalFact("tshark")]
    public async Task TheWiresharkStepCapturesOneConversationAndSaysHowToOpenIt()
    {
        string output = await StepAsync(9, "--keep"); // Kept, to be read here.
        Match capture = Matched(output, @"app-server on 127\.0\.0\.1:(\d+),\nprinting each message decoded, and wrote it to (\S+\.pcap) \(([\d,]+) bytes\)");
        string pcap = capture.Groups[2].Value;
        Assert.Equal(new FileInfo(pcap).Length, long.Parse(capture.Groups[3].Value.Replace(",", "")));
        Assert.Contains("conn 1 client -> server: message 1: 146 bytes", output);
        Assert.Contains("conn 1 server -> client: message 1: 148 bytes", output);

        string dissector = Regex.Match(output, @"lua_script:(\S+socketkit\.lua)").Groups[1].Value;
        Assert.True(File.Exists(dissector), $"the dissector the tour names ({dissector}) ships with the program");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "tools", "wireshark", "socketkit.lua")), await File.ReadAllTextAsync(dissector));
        Assert.Contains($"-d tcp.port=={capture.Groups[1].Value},socketkit -Y socketkit", output);
        // scripts/test.sh installs tshark, so the decoded capture is shown.
        Assert.Matches(@"tshark decodes it as:\n +\d+ .*SOCKETKIT \d+ +Request text/json \(41 bytes\)\n +\d+ .*SOCKETKIT \d+ +Response text/json \(43 bytes\)\n", output);
        Assert.Contains($"\nThe capture stays in {pcap} (--keep).\n", output);
        File.Delete(pcap);
    }

    [Fact]
    public async Task TheTourRemovesTheCaptureItWroteUnlessKeepIsGiven()
    {
        string output = await StepAsync(9);
        string pcap = Matched(output, @"wrote it to (\S+\.pcap) \([\d,]+ bytes\)").Groups[1].Value;
        Assert.StartsWith(Path.GetTempPath(), pcap);
        Assert.False(File.Exists(pcap), $"the tour left {pcap} behind");
        Assert.Contains("\nThe tour removes the capture when this step ends; --keep leaves it.\n", output);
    }

    [Fact]
    public async Task ListNamesEveryStepAndItsSectionAndTheReadmeListsTheSame()
    {
        Support.Cli.Result list = await Support.Cli.RunExpectingAsync(0, "tour", "--list");
        string expected = string.Concat(GuidedTour.Steps.Select((s, i) => $"{i + 1,2}. {s.Title}\n    Read: \"{s.Section}\" {s.Url}\n"));
        Assert.Equal(expected, list.Out);

        // README, "The tutorial, section by section": | [Section](url) ... | commands | N. Title | docs |, in the tutorial's
        // order, which puts the tour's step 5 (Communication Breakdown) before its step 3; each step in one row.
        string readme = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"));
        string[] listed = [.. Regex.Matches(readme, @"^\| \[([^\]\n]+)\]\((https://realpython\.com/python-sockets/#[a-z-]+)\)[^|\n]* \| [^|\n]+ \| (\d+)\. ([^|\n]+?) \| [^|\n]+ \|$", RegexOptions.Multiline)
            .Select(m => (Step: int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), Row: $"{m.Groups[3]}|{m.Groups[4]}|{m.Groups[1]}|{m.Groups[2]}"))
            .OrderBy(r => r.Step)
            .Select(r => r.Row)];
        Assert.Equal(GuidedTour.Steps.Select((s, i) => $"{i + 1}|{s.Title}|{s.Section}|{s.Url}"), listed);
    }

    [Fact]
    public async Task AStepOutOfRangeIsAUsageErrorThatPointsToTheList()
    {
        Support.Cli.Result tour = await Support.Cli.RunExpectingAsync(2, "tour", "--step", (GuidedTour.Steps.Count + 1).ToString());
        Assert.Contains($"--step must be from 1 to {GuidedTour.Steps.Count}; `socketkit tour --list` shows the steps.", tour.Error);
        Assert.Equal("", tour.Out);
    }

    /// <summary>The first match of <paramref name="pattern"/> in <paramref name="text"/>; without one the test fails, showing the text.</summary>
    private static Match Matched(string text, string pattern)
    {
        Match match = Regex.Match(text, pattern);
        Assert.True(match.Success, text);
        return match;
    }

    private static async Task<string> StepAsync(int step, params string[] more)
    {
        Support.Cli.Result tour = await Support.Cli.RunExpectingAsync(0, ["tour", "--step", step.ToString(), .. more]);
        Assert.Equal("", tour.Error);
        Assert.Single(Regex.Matches(tour.Out, @"^\d+/\d+ ", RegexOptions.Multiline));
        Assert.Contains($"\n{step}/{GuidedTour.Steps.Count} {GuidedTour.Steps[step - 1].Title}\n", tour.Out);
        return tour.Out;
    }
}
