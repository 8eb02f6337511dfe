namespace SocketKit.Tests.Support;

/// <summary>
/// A network namespace of the test's own, joined to this one by a veth pair on a /24 of its own: the host end is
/// .1, the namespace end .2, and any other address on the subnet is a host that does not exist (its SYNs and
/// pings go unanswered). Removed on dispose. Needs root, as the tests run in CI.
/// </summary>
public sealed class TestNetworkNamespace : IAsyncDisposable
{
    private readonly string _hostLink;

    private TestNetworkNamespace(string name, string hostLink, string subnet)
    {
        Name = name;
        _hostLink = hostLink;
        HostAddress = subnet + ".1";
        PeerAddress = subnet + ".2";
        AbsentAddress = subnet + ".77";
    }

    public string Name { get; }
    public string HostAddress { get; }
    public string PeerAddress { get; }
    public string AbsentAddress { get; }

    public static async Task<TestNetworkNamespace> CreateAsync()
    {
        int id = (Environment.ProcessId * 31 + Random.Shared.Next(1000)) % 10000;
        string name = $"skdiag{id}";
        string subnet = $"10.{200 + id % 50}.{id % 250}";
        var ns = new TestNetworkNamespace(name, $"skd{id}h", subnet);
        string peerLink = $"skd{id}p";
        try
        {
            await IpAsync("netns", "add", name);
            await IpAsync("link", "add", ns._hostLink, "type", "veth", "peer", "name", peerLink);
            await IpAsync("link", "set", peerLink, "netns", name);
            await IpAsync("addr", "add", ns.HostAddress + "/24", "dev", ns._hostLink);
            await IpAsync("link", "set", ns._hostLink, "up");
            await IpAsync("-n", name, "addr", "add", ns.PeerAddress + "/24", "dev", peerLink);
            await IpAsync("-n", name, "link", "set", peerLink, "up");
            await IpAsync("-n", name, "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    private static async Task IpAsync(params string[] args)
    {
        var (code, _, error) = await ExternalProgram.RunAsync("ip", args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error}");
    }

    public async ValueTask DisposeAsync()
    {
        // Deleting either end removes the pair; deleting the namespace removes what is left in it.
        await ExternalProgram.RunAsync("ip", ["link", "del", _hostLink]);
        await ExternalProgram.RunAsync("ip", ["netns", "del", Name]);
    }
}
