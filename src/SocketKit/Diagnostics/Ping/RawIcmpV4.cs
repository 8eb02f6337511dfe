using System.Buffers.Binary;
using System.Diagnostics;

namespace SocketKit.Diagnostics.Ping;

/// <summary>
/// ICMP echo over a raw IPv4 socket, as iputils ping does when it may: the reply arrives with its IP header, whose
/// TTL is the reply's own (what ping prints as ttl=). Needs root or CAP_NET_RAW; without either there is no socket
/// and the caller uses .NET's Ping instead.
/// </summary>
internal static class RawIcmpV4
{
    private const byte EchoReply = 0;
    private const byte DestinationUnreachable = 3;
    private const byte EchoRequest = 8;

    // Whether this process may open one is learnt once: without the privilege each try would throw.
    private static bool s_refused;

    /// <summary>A raw ICMP socket, or null when this process may not open one.</summary>
    public static Socket? TryOpen()
    {
        if (s_refused)
        {
            return null;
        }
        try
        {
            return new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported)
        {
            s_refused = true;
            return null;
        }
    }

    /// <summary>Sends one echo request on <paramref name="socket"/> and waits up to <paramref name="timeout"/> for its reply.</summary>
    public static async Task<PingProbe> EchoAsync(Socket socket, IPAddress address, int sequence, byte[] payload, TimeSpan timeout)
    {
        // The process id names our requests, as ping's does; a raw socket also sees every other ICMP packet.
        ushort identifier = (ushort)Environment.ProcessId;
        byte[] request = Request(identifier, (ushort)sequence, payload);
        // Room for our reply (IP header of up to 60 bytes, ICMP header, payload) or an error quoting our request.
        byte[] buffer = new byte[60 + 8 + Math.Max(payload.Length, 60 + 8)];
        using var timer = new CancellationTokenSource(timeout);
        long started = Stopwatch.GetTimestamp();
        try
        {
            await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(address, 0), timer.Token);
            while (true)
            {
                SocketReceiveFromResult received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timer.Token);
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (Match(buffer.AsSpan(0, received.ReceivedBytes), identifier, (ushort)sequence, address) is { } reply)
                {
                    return reply.Type == EchoReply
                        ? new PingProbe(sequence, address, PingOutcome.Replied, elapsed, reply.Ttl, reply.IcmpBytes)
                        : Pinger.Unreachable(sequence, address, network: reply.Code == 0);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new PingProbe(sequence, address, PingOutcome.TimedOut, TimeSpan.Zero, Detail: "no reply");
        }
        catch (SocketException ex)
        {
            SocketErrorKind kind = SocketErrorGuide.Classify(ex.SocketErrorCode);
            return kind is SocketErrorKind.HostUnreachable or SocketErrorKind.NetworkUnreachable
                ? new PingProbe(sequence, address, PingOutcome.Unreachable, TimeSpan.Zero, Kind: kind, Detail: SocketErrorGuide.For(kind).Summary)
                : new PingProbe(sequence, address, PingOutcome.Failed, TimeSpan.Zero, Kind: kind, Detail: ex.Message);
        }
    }

    /// <summary>An echo request: type 8, code 0, checksum, identifier, sequence number, then the payload.</summary>
    internal static byte[] Request(ushort identifier, ushort sequence, ReadOnlySpan<byte> payload)
    {
        byte[] packet = new byte[8 + payload.Length];
        packet[0] = EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        payload.CopyTo(packet.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), InternetChecksum.Compute(packet));
        return packet;
    }

    /// <summary>
    /// The reply to our request in an IPv4 packet as a raw socket delivers it (header included), or null for anything
    /// else: our own request seen on loopback, other processes' pings, other ICMP.
    /// </summary>
    internal static (byte Type, byte Code, int Ttl, int IcmpBytes)? Match(ReadOnlySpan<byte> packet, ushort identifier, ushort sequence, IPAddress from)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            return null;
        }
        int headerLength = (packet[0] & 0x0F) * 4;
        if (packet.Length < headerLength + 8)
        {
            return null;
        }
        ReadOnlySpan<byte> icmp = packet[headerLength..];
        byte ttl = packet[8];
        switch (icmp[0])
        {
            case EchoReply when new IPAddress(packet.Slice(12, 4)).Equals(from) && IsOurs(icmp, identifier, sequence):
                return (EchoReply, icmp[1], ttl, icmp.Length);
            case DestinationUnreachable when icmp.Length >= 8 + 20 + 8:
                // It quotes the IP header and first 8 bytes of the packet it could not deliver: our request, or not.
                ReadOnlySpan<byte> quoted = icmp[8..];
                int quotedHeader = (quoted[0] & 0x0F) * 4;
                return quoted.Length >= quotedHeader + 8 && quoted[quotedHeader] == EchoRequest && IsOurs(quoted[quotedHeader..], identifier, sequence)
                    ? (DestinationUnreachable, icmp[1], ttl, icmp.Length)
                    : null;
            default:
                return null;
        }
    }

    private static bool IsOurs(ReadOnlySpan<byte> icmp, ushort identifier, ushort sequence) =>
        BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) == identifier && BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]) == sequence;
}
