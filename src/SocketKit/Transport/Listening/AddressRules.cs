namespace SocketKit.Transport.Listening;

/// <summary>
/// Which client addresses a server serves, as ncat's allow and deny lists: with an allow list, only
/// addresses in one of its networks; never an address in a network of the deny list (deny wins). Applied to the
/// client's address: the one a PROXY header names when the server reads one, else the peer's. An IPv4 client on a
/// dual-stack listener (::ffff:192.0.2.7) is judged as its IPv4 address. A Unix socket's peer has no address and
/// is not judged: the socket file's permissions say who may connect.
/// </summary>
public sealed record AddressRules
{
    /// <summary>No rules: every address is served. The default.</summary>
    public static AddressRules None { get; } = new();

    /// <summary>Serve only addresses in one of these networks. Empty, the default: any address not denied.</summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [];

    /// <summary>Never serve addresses in these networks, even when <see cref="Allow"/> holds them. Default empty.</summary>
    public IReadOnlyList<IPNetwork> Deny { get; init; } = [];

    /// <summary>True when there is at least one rule.</summary>
    public bool Any => Allow.Count > 0 || Deny.Count > 0;

    /// <summary>Whether <paramref name="address"/> may be served.</summary>
    public bool Admits(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        foreach (IPNetwork network in Deny)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }
        if (Allow.Count == 0)
        {
            return true;
        }
        foreach (IPNetwork network in Allow)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads a rule's network as ncat takes it: CIDR (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>; bits past the prefix
    /// are ignored, so <c>192.0.2.7/24</c> is <c>192.0.2.0/24</c>) or one address (<c>192.0.2.7</c>, <c>::1</c>).
    /// </summary>
    /// <exception cref="FormatException">It is neither.</exception>
    public static IPNetwork ParseNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('/') && IPAddress.TryParse(text, out IPAddress? single))
        {
            return new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        if (text.Contains('/') && IPNetwork.TryParse(text, out IPNetwork network))
        {
            return network;
        }
        throw new FormatException($"{text} is not an address or a network in CIDR notation (192.0.2.0/24, 2001:db8::/32)");
    }
}
