using System.Net.NetworkInformation;
using SocketKit.Diagnostics.SocketTable;

namespace SocketKit.Diagnostics.Diagnose;

/// <summary>This machine's TCP listeners on a port, told apart by whether they take connections to given addresses.</summary>
public static class LocalListeners
{
    /// <summary>
    /// The listeners on <paramref name="port"/>, each marked as serving <paramref name="addresses"/> or not; null when
    /// the addresses are not all this machine's (its socket table says nothing of another host) or it cannot be read.
    /// </summary>
    public static IReadOnlyList<LocalListener>? OnPort(int port, IReadOnlyList<IPAddress> addresses) =>
        IsThisMachine(addresses) ? Read(port, addresses) : null;

    /// <summary>True when every address is this machine's own: only then does its socket table tell anything.</summary>
    public static bool IsThisMachine(IReadOnlyList<IPAddress> addresses)
    {
        HashSet<IPAddress> own;
        try
        {
            own = [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)];
        }
        catch (NetworkInformationException)
        {
            own = [];
        }
        return addresses.All(a => IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || own.Contains(a));
    }

    private static IReadOnlyList<LocalListener>? Read(int port, IReadOnlyList<IPAddress> addresses)
    {
        IReadOnlyList<SocketEntry> entries;
        try
        {
            (entries, _) = SocketTableReader.Read(new SocketTableQuery { Tcp = true, ListeningOnly = true, Port = port, Processes = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SocketException or PlatformNotSupportedException)
        {
            return null;
        }
        return [.. entries.Where(e => e.LocalPort == port).Select(e => new LocalListener(e.Local, e.Process, Serves(e.Local, addresses)))];
    }

    /// <summary>True when a listener at <paramref name="local"/> takes connections to one of <paramref name="addresses"/>.</summary>
    private static bool Serves(string local, IReadOnlyList<IPAddress> addresses)
    {
        if (!IPEndPoint.TryParse(local, out IPEndPoint? bound))
        {
            return false;
        }
        IPAddress at = bound.Address.IsIPv4MappedToIPv6 ? bound.Address.MapToIPv4() : bound.Address;
        return at.Equals(IPAddress.IPv6Any)
            || addresses.Any(a => at.Equals(a) || (at.Equals(IPAddress.Any) && a.AddressFamily == AddressFamily.InterNetwork));
    }
}
