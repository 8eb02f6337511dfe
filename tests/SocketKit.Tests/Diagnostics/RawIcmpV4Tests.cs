using SocketKit.Diagnostics.Ping;

namespace SocketKit.Tests.Diagnostics;

/// <summary>The ICMP echo packets ping builds and the replies it picks out of everything a raw socket sees.</summary>
[Tier(TestTier.Unit)]
public class RawIcmpV4Tests
{
    private static readonly IPAddress Target = IPAddress.Parse("192.0.2.1");

    [Fact]
    public void TheChecksumIsRfc1071s()
    {
        // RFC 1071, section 3: 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, whose complement is 220d.
        Assert.Equal((ushort)0x220d, SocketKit.Diagnostics.InternetChecksum.Compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
        // An odd length pads with a zero byte.
        Assert.Equal(SocketKit.Diagnostics.InternetChecksum.Compute([0xab, 0xcd, 0xef, 0x00]), SocketKit.Diagnostics.InternetChecksum.Compute([0xab, 0xcd, 0xef]));
    }

    [Fact]
    public void ARequestCarriesItsIdentifierSequenceAndPayloadAndChecksDown()
    {
        byte[] request = RawIcmpV4.Request(0x1234, 7, [1, 2, 3]);
        Assert.Equal<byte>([8, 0], request[..2]);
        Assert.Equal<byte>([0x12, 0x34, 0x00, 0x07, 1, 2, 3], request[4..]);
        Assert.Equal(0, SocketKit.Diagnostics.InternetChecksum.Compute(request)); // A packet with its checksum in sums to zero.
    }

    [Fact]
    public void OnlyTheReplyToThisRequestIsTaken()
    {
        byte[] reply = Ip(ttl: 57, from: Target, Icmp(type: 0, identifier: 0x1234, sequence: 7));
        Assert.Equal(((byte)0, (byte)0, 57, 8 + 3), RawIcmpV4.Match(reply, 0x1234, 7, Target));

        Assert.Null(RawIcmpV4.Match(reply, 0x1234, 8, Target));                         // another sequence number
        Assert.Null(RawIcmpV4.Match(reply, 0x4321, 7, Target));                         // another process's ping
        Assert.Null(RawIcmpV4.Match(reply, 0x1234, 7, IPAddress.Parse("192.0.2.9")));   // from another host
        Assert.Null(RawIcmpV4.Match(Ip(64, Target, Icmp(type: 8, 0x1234, 7)), 0x1234, 7, Target)); // our own request, seen on loopback
        Assert.Null(RawIcmpV4.Match(reply.AsSpan(0, 25), 0x1234, 7, Target));           // cut short
    }

    [Fact]
    public void AnUnreachableQuotingThisRequestIsTaken()
    {
        byte[] quoted = Ip(64, IPAddress.Loopback, Icmp(type: 8, identifier: 0x1234, sequence: 7))[..28];
        byte[] unreachable = Ip(ttl: 250, from: IPAddress.Parse("198.51.100.1"), [3, 1, 0, 0, 0, 0, 0, 0, .. quoted]);
        Assert.Equal(((byte)3, (byte)1, 250, 8 + 28), RawIcmpV4.Match(unreachable, 0x1234, 7, Target));
        Assert.Null(RawIcmpV4.Match(unreachable, 0x1234, 6, Target));
    }

    private static byte[] Icmp(byte type, ushort identifier, ushort sequence) =>
        [type, 0, 0, 0, (byte)(identifier >> 8), (byte)identifier, (byte)(sequence >> 8), (byte)sequence, 1, 2, 3];

    private static byte[] Ip(byte ttl, IPAddress from, byte[] payload)
    {
        byte[] header = new byte[20];
        header[0] = 0x45; // version 4, 5 words
        header[8] = ttl;
        header[9] = 1; // ICMP
        from.GetAddressBytes().CopyTo(header, 12);
        IPAddress.Loopback.GetAddressBytes().CopyTo(header, 16);
        return [.. header, .. payload];
    }
}
