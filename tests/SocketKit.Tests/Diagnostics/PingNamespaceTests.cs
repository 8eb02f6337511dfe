namespace SocketKit.Tests.Diagnostics;

/// <summary>ping against a network namespace of the test's own: a host that answers, and one that does not exist.</summary>
public class PingNamespaceTests
{
    [PrivilegedFact("ip")]
    public async Task PingTellsAnAnsweringHostARefusedPortAndASilentHostApart()
    {
        await using TestNetworkNamespace ns = await TestNetworkNamespace.CreateAsync();

        Support.Cli.Result icmp = await Support.Cli.RunExpectingAsync(0, "ping", "-c", "1", "-W", "2s", ns.PeerAddress);
        // With a raw socket the reply's TTL is printed (its exact value is checked on loopback, in PingTests).
        using Socket? raw = SocketKit.Diagnostics.Ping.RawIcmpV4.TryOpen();
        Assert.Matches($@"64 bytes from {System.Text.RegularExpressions.Regex.Escape(ns.PeerAddress)}: icmp_seq=1{(raw is null ? "" : @" ttl=\d+")} time=", icmp.Out);

        Support.Cli.Result silent = await Support.Cli.RunExpectingAsync(1, "ping", "-c", "2", "-i", "100ms", "-W", "300ms", ns.AbsentAddress);
        Assert.Contains($"no reply from {ns.AbsentAddress}: icmp_seq=1", silent.Out);
        Assert.Contains("2 packets transmitted, 0 received, 100% packet loss", silent.Out);

        // Nothing listens in the namespace: its kernel answers a SYN with a reset.
        Support.Cli.Result refused = await Support.Cli.RunExpectingAsync(1, "ping", "--tcp", "-c", "1", "-W", "2s", ns.PeerAddress, "65432");
        Assert.Contains($"refused by {ns.PeerAddress}:65432: seq=1 (ECONNREFUSED", refused.Out);

        // No host behind that address: the SYN goes unanswered until the timeout.
        Support.Cli.Result timedOut = await Support.Cli.RunExpectingAsync(1, "ping", "--tcp", "-c", "1", "-W", "300ms", ns.AbsentAddress, "65432");
        Assert.Contains($"no answer from {ns.AbsentAddress}:65432: seq=1 timed out after 300ms (ETIMEDOUT", timedOut.Out);
    }
}
