using SocketKit.Diagnostics.SocketTable;

namespace SocketKit.Tests.Diagnostics;

/// <summary>The /proc/net fallback reads the same sockets netlink does, with the one difference netstat has.</summary>
[Tier(TestTier.Socket)]
public class ProcNetTests
{
    [Theory]
    [InlineData("0100007F:FF98", "127.0.0.1", 65432)]
    [InlineData("00000000000000000000000001000000:0050", "::1", 80)]
    public void ProcAddressesAreWordsInHostByteOrder(string text, string address, int port) =>
        Assert.Equal((IPAddress.Parse(address), port), ProcNetReader.ParseAddress(text));

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void ProcNetAndNetlinkAgreeOnAListenerButTheBacklog(AddressFamily family)
    {
        using var listener = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
        listener.Listen(9);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        bool v6 = family == AddressFamily.InterNetworkV6;

        SocketEntry fromNetlink = Assert.Single(SockDiag.Inet(true, v6, false), e => e.LocalPort == port);
        SocketEntry fromProc = Assert.Single(ProcNetReader.Inet(true, v6), e => e.LocalPort == port);
        Assert.Equal(fromNetlink with { SendQ = 0 }, fromProc);
        Assert.Equal(9, fromNetlink.SendQ);
    }

    [Fact]
    public void TheIPGlobalPropertiesFallbackListsAListenerWithoutQueues()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(2);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        SocketEntry entry = Assert.Single(SocketTableReader.FromGlobalProperties(tcp: true, udp: false), e => e.LocalPort == port);
        Assert.Equal(("tcp", "LISTEN", $"127.0.0.1:{port}", "0.0.0.0:*"), (entry.Protocol, entry.State, entry.Local, entry.Remote));
        Assert.Null(entry.RecvQ);
        Assert.Null(entry.SendQ);
    }
}
