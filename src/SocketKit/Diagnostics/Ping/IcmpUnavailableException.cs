namespace SocketKit.Diagnostics.Ping;

/// <summary>
/// This process cannot send ICMP echo at all: not a lost probe but a missing privilege, said once rather than once a
/// probe. On Linux ICMP needs a raw socket (root or CAP_NET_RAW), a group in <c>net.ipv4.ping_group_range</c> for
/// ICMP datagram sockets, or the system's ping program, which .NET runs as a last resort.
/// </summary>
public sealed class IcmpUnavailableException(Exception inner) : Exception(
    "this user cannot send ICMP echo: it needs root or CAP_NET_RAW, a group in net.ipv4.ping_group_range, or the system's ping program (iputils-ping)",
    inner);
