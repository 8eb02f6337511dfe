using SocketKit.Logging;

namespace SocketKit.Transport.Listening;

/// <summary>
/// The address rules and the per-address connection limit of one server (shared by every listener of a
/// <see cref="ServerGroup"/>, as its connection numbering is): admits a client's address or says why not, counts the
/// connections each address holds, and logs refusals at most once a second, with how many that line stands for.
/// </summary>
/// <remarks>Thread-safe: every listener and loop admits and releases through it.</remarks>
internal sealed class AddressGate(AddressRules rules, int? maxConnectionsPerAddress, TimeProvider clock)
{
    /// <summary>The metric reason of an address the rules refuse.</summary>
    public const string DeniedReason = "address_denied";

    /// <summary>The metric reason of an address already holding its most connections.</summary>
    public const string OverLimitReason = "max_connections_per_address";

    private readonly Dictionary<IPAddress, int> _open = [];
    private long _lastWarning; // 0: never warned.
    private long _refusedSinceWarning;

    /// <summary>True when there is anything to check: rules or a per-address limit.</summary>
    public bool IsActive => rules.Any || maxConnectionsPerAddress is not null;

    /// <summary>
    /// Admits <paramref name="remote"/>, counting it against its address's limit: null when admitted (then
    /// <see cref="Release"/> it when the connection closes), else the metric reason it was refused for. An endpoint
    /// without an IP address (a Unix socket's peer) is always admitted and never counted.
    /// </summary>
    public string? Admit(EndPoint remote, out IPAddress? counted)
    {
        counted = null;
        if (remote is not IPEndPoint { Address: var address })
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (!rules.Admits(address))
        {
            return DeniedReason;
        }
        if (maxConnectionsPerAddress is not int most)
        {
            return null;
        }
        lock (_open)
        {
            _open.TryGetValue(address, out int open);
            if (open >= most)
            {
                return OverLimitReason;
            }
            _open[address] = open + 1;
        }
        counted = address;
        return null;
    }

    /// <summary>A connection counted by <see cref="Admit"/> closed.</summary>
    public void Release(IPAddress address)
    {
        lock (_open)
        {
            if (_open.TryGetValue(address, out int open))
            {
                if (open <= 1)
                {
                    _open.Remove(address);
                }
                else
                {
                    _open[address] = open - 1;
                }
            }
        }
    }

    /// <summary>Logs a refusal, at most once a second: a flood of refused connects cannot flood the log.</summary>
    public void LogRefused(ILogger logger, string remote, string reason)
    {
        long count = Interlocked.Increment(ref _refusedSinceWarning);
        long now = clock.GetTimestamp();
        long last = Interlocked.Read(ref _lastWarning);
        if ((last == 0 || now - last >= clock.TimestampFrequency) && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            Interlocked.Add(ref _refusedSinceWarning, -count);
            string why = reason == DeniedReason
                ? "its address is not allowed (address rules)"
                : $"its address already holds the maximum of {maxConnectionsPerAddress} connections";
            Log.ClientRefused(logger, remote, why, count);
        }
    }
}
