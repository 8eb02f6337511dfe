using System.Text.RegularExpressions;
using SocketKit.Transport;

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
        // As ss shows a listener: nothing waiting to be accepted, and its backlog (the server's, capped by the kernel) as Send-Q.
        int backlog = Math.Min(new ServerOptions { EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) }.Backlog,
            int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn")));
        Assert.Matches($@"LISTEN +0 +{backlog} +127\.0\.0\.1:{port} ", output);
        Assert.Equal(2, Regex.Matches(output, $@"ESTAB .*127\.0\.0\.1:{port}\b").Count);
        Assert.Matches($@"TIME-WAIT .*127\.0\.0\.1:{port}\n", output);

        Assert.Contains("{\"action\": \"search\", \"value\": \"morpheus\"}", output);
        Assert.Contains("proto-header: the JSON header is", output);
        Assert.Contains("Got result: Follow the white rabbit. \U0001F430", output);
        Assert.Contains("ECONNREFUSED", output);
        Assert.EndsWith("docs/ for the protocol and the architecture.\n", output);
    }
}
