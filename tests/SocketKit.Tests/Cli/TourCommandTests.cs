using System.Net;
using System.Text.RegularExpressions;
using SocketKit.Cli.Tour;

namespace SocketKit.Tests.Cli;

/// <summary>socketkit tour, run as the README's first command is run.</summary>
public class TourCommandTests
{
    [Fact]
    public async Task TheTourRunsEveryStepAndSaysWhatToReadAndRunAfterEach()
    {
        Support.Cli.Result tour = await Support.Cli.RunAsync("tour");
        Assert.Equal(0, tour.ExitCode);
        Assert.Equal("", tour.Error); // The programs' events appear only with -v.
        string output = tour.Out;
        Assert.DoesNotContain("\u001b[", output); // Not a terminal: no colour.

        string[] headings = [.. Regex.Matches(output, @"^(\d)/(\d) ", RegexOptions.Multiline).Select(m => m.Value)];
        Assert.Equal(["1/5 ", "2/5 ", "3/5 ", "4/5 ", "5/5 "], headings);
        Assert.Equal(5, Regex.Matches(output, @"^Read:  "".+"" https://realpython\.com/python-sockets/#[a-z-]+$", RegexOptions.Multiline).Count);
        Assert.Equal(5, Regex.Matches(output, @"^Try:   socketkit |^Try:   echo |^Try:   ss ", RegexOptions.Multiline).Count);

        Assert.Contains("got back b'Hello, world'", output);
        Assert.Equal(2, Regex.Matches(output, @"sent its two messages and got back b'Message 1 from client\.Message 2 from client\.'").Count);

        // The socket table while the connection is open: the listener and both ends, on the port the step chose.
        int port = int.Parse(Regex.Match(output, @"While a client is connected to 127\.0\.0\.1:(\d+)").Groups[1].Value);
        Assert.Matches($@"LISTEN +0 +0 +127\.0\.0\.1:{port} ", output);
        Assert.Equal(2, Regex.Matches(output, $@"ESTAB .*127\.0\.0\.1:{port}\b").Count);
        Assert.Matches($@"TIME-WAIT .*127\.0\.0\.1:{port}\n", output);

        Assert.Contains("{\"action\": \"search\", \"value\": \"morpheus\"}", output);
        Assert.Contains("proto-header: the JSON header is", output);
        Assert.Contains("Got result: Follow the white rabbit. \U0001F430", output);
        Assert.Contains("ECONNREFUSED", output);
        Assert.EndsWith("docs/ for the protocol and the architecture.\n", output);
    }

    [Fact]
    public void TheSocketTableReaderParsesTheKernelsHexAddressesPortsStatesAndQueues()
    {
        string[] lines =
        [
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:FF98 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 123 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:D2A6 0100007F:FF98 01 0000001C:00000000 01:00000014 00000000     0        0 124 1 0000000000000000 20 4 30 10 -1",
        ];
        SocketState[] rows = [.. SocketStates.Parse(lines)];
        Assert.Equal(new SocketState(new IPEndPoint(IPAddress.Loopback, 0xFF98), new IPEndPoint(IPAddress.Any, 0), "LISTEN", 0, 3), rows[0]);
        Assert.Equal(new SocketState(new IPEndPoint(IPAddress.Loopback, 0xD2A6), new IPEndPoint(IPAddress.Loopback, 0xFF98), "ESTAB", 0x1C, 0), rows[1]);
    }
}
