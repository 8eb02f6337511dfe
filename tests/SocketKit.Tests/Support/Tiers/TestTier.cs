namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// What a test needs from the machine, from nothing to root: the value of its <c>Category</c> trait, so
/// <c>dotnet test --filter Category=Unit</c> runs one tier and <c>Category!=Heavy</c> leaves the long load tests out.
/// Every test has exactly one: its class's <see cref="TierAttribute"/>, or its own <see cref="ExternalFactAttribute"/>,
/// <see cref="PrivilegedFactAttribute"/> (or their theories).
/// </summary>
public enum TestTier
{
    /// <summary>Objects in memory only: no sockets, no processes. Runs anywhere.</summary>
    Unit,

    /// <summary>Loopback sockets, and child processes of the .NET SDK and this repository's own programs. Runs anywhere.</summary>
    Socket,

    /// <summary>A program the .NET SDK does not bring (haproxy, nginx, tshark, python3, ss, dotnet-counters): skipped, naming it, where it is missing.</summary>
    External,

    /// <summary>Root: network namespaces, raw ICMP sockets. Skipped, saying so, where the tests do not run as root.</summary>
    Privileged,

    /// <summary>The long load tests (thousands of connections, descriptor exhaustion), one at a time.</summary>
    Heavy,
}
