using SocketKit.Protocol.Proxy;
using static SocketKit.Tests.Protocol.Proxy.ProxyFrames;

namespace SocketKit.Tests.Protocol.Proxy;

[Tier(TestTier.Unit)]
public class ProxyHeaderDecoderTests
{
    private static readonly byte[] Client = "\x00\x05hello"u8.ToArray();

    public static TheoryData<string, byte[], int, string?, string?, ProxyCommand> ValidHeaders()
    {
        var v4Source = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 56324);
        var v4Destination = new IPEndPoint(IPAddress.Parse("198.51.100.9"), 443);
        var v6Source = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1);
        var v6Destination = new IPEndPoint(IPAddress.Parse("::1"), 65535);
        byte[] tlvs = [0x04, 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0xEA, 0x00, 0x01, 0x01]; // PP2_TYPE_NOOP and a vendor TLV
        return new()
        {
            { "v1 TCP4", V1("PROXY TCP4 192.0.2.7 198.51.100.9 56324 443\r\n"), 1, "192.0.2.7:56324", "198.51.100.9:443", ProxyCommand.Proxy },
            { "v1 TCP6", V1("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n"), 1, "[2001:db8::1]:1", "[::1]:65535", ProxyCommand.Proxy },
            { "v1 UNKNOWN", V1("PROXY UNKNOWN\r\n"), 1, null, null, ProxyCommand.Proxy },
            { "v1 UNKNOWN with addresses", V1("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"), 1, null, null, ProxyCommand.Proxy },
            { "v2 PROXY IPv4", V2(1, 0x11, Addresses(v4Source, v4Destination)), 2, "192.0.2.7:56324", "198.51.100.9:443", ProxyCommand.Proxy },
            { "v2 PROXY IPv6", V2(1, 0x21, Addresses(v6Source, v6Destination)), 2, "[2001:db8::1]:1", "[::1]:65535", ProxyCommand.Proxy },
            { "v2 PROXY IPv4 with TLVs", V2(1, 0x11, Addresses(v4Source, v4Destination), tlvs), 2, "192.0.2.7:56324", "198.51.100.9:443", ProxyCommand.Proxy },
            { "v2 PROXY IPv6 with TLVs", V2(1, 0x21, Addresses(v6Source, v6Destination), tlvs), 2, "[2001:db8::1]:1", "[::1]:65535", ProxyCommand.Proxy },
            { "v2 LOCAL", V2(0, 0x00, []), 2, null, null, ProxyCommand.Local },
            { "v2 LOCAL with IPv4 addresses ignored", V2(0, 0x11, Addresses(v4Source, v4Destination)), 2, null, null, ProxyCommand.Local },
            { "v2 PROXY UNSPEC with TLVs", V2(1, 0x00, [], tlvs), 2, null, null, ProxyCommand.Proxy },
            { "v2 PROXY UNIX", V2(1, 0x31, new byte[216]), 2, null, null, ProxyCommand.Proxy },
        };
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void DecoderReadsEveryValidHeaderInEverySplitAndLeavesTheClientsBytes(string name, byte[] header, int version, string? source,
        string? destination, ProxyCommand command)
    {
        byte[] stream = [.. header, .. Client];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            (ProxyHeader decoded, byte[] rest) = Decode(stream, cuts);
            string where = $"{name}, {split}";
            Assert.True(version == decoded.Version, where);
            Assert.True(command == decoded.Command, where);
            Assert.True(source == (decoded.Source is null ? null : EndPoints.Format(decoded.Source)), where);
            Assert.True(destination == (decoded.Destination is null ? null : EndPoints.Format(decoded.Destination)), where);
            Assert.True(header.Length == decoded.HeaderBytes, where);
            Assert.True(Client.AsSpan().SequenceEqual(rest), where);
        }
    }

    public static TheoryData<string, byte[], int, ProxyHeaderError> MalformedHeaders()
    {
        byte[] v4 = new byte[12];
        byte[] oversized = V2(1, 0x11, v4, declaredLength: ProxyHeaderDecoder.DefaultMaxHeaderBytes - 15);
        byte[] wrongVersion = V2(1, 0x11, v4);
        wrongVersion[12] = 0x11;
        return new()
        {
            // name, bytes, the length of the shortest prefix that decides, the error
            { "an application message", "\x00\x67{\"byteorder\": \"little\"}"u8.ToArray(), 1, ProxyHeaderError.MissingSignature },
            { "HTTP", V1("GET / HTTP/1.1\r\n"), 1, ProxyHeaderError.MissingSignature },
            { "a misspelt v1 signature", V1("PROXZ TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), 5, ProxyHeaderError.MissingSignature },
            { "a broken v2 signature", [.. V2Signature[..7], 0x00, .. V2Signature[8..], 0x21, 0x11, 0, 12, .. v4], 8, ProxyHeaderError.MissingSignature },
            { "v1 without CRLF in 107 bytes", V1("PROXY UNKNOWN " + new string('x', 120)), 107, ProxyHeaderError.HeaderTooLarge },
            { "v1 LF without CR", V1("PROXY UNKNOWN\n"), 14, ProxyHeaderError.MalformedV1 },
            { "v1 unknown protocol", V1("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n"), 32, ProxyHeaderError.MalformedV1 },
            { "v1 short IPv4 address", V1("PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n"), 30, ProxyHeaderError.MalformedV1 },
            { "v1 IPv6 address under TCP4", V1("PROXY TCP4 ::1 1.2.3.4 1 2\r\n"), 28, ProxyHeaderError.MalformedV1 },
            { "v1 IPv4 address under TCP6", V1("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), 28, ProxyHeaderError.MalformedV1 },
            { "v1 port with a leading zero", V1("PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n"), 33, ProxyHeaderError.MalformedV1 },
            { "v1 port above 65535", V1("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n"), 36, ProxyHeaderError.MalformedV1 },
            { "v1 double space", V1("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n"), 33, ProxyHeaderError.MalformedV1 },
            { "v1 missing port", V1("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n"), 30, ProxyHeaderError.MalformedV1 },
            { "v2 version 1", wrongVersion, 13, ProxyHeaderError.UnsupportedVersion },
            { "v2 command 2", V2(2, 0x11, v4), 13, ProxyHeaderError.UnsupportedCommand },
            { "v2 UDP over IPv4", V2(1, 0x12, v4), 14, ProxyHeaderError.UnsupportedAddressFamily },
            { "v2 family 4", V2(1, 0x41, v4), 14, ProxyHeaderError.UnsupportedAddressFamily },
            { "v2 over the size limit", oversized, 16, ProxyHeaderError.HeaderTooLarge },
            { "v2 IPv4 block too short", V2(1, 0x11, new byte[8]), 16, ProxyHeaderError.AddressBlockTooShort },
            { "v2 IPv6 block too short", V2(1, 0x21, new byte[12]), 16, ProxyHeaderError.AddressBlockTooShort },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void DecoderRefusesMalformedHeadersAtTheByteThatDecides(string name, byte[] bytes, int decidingPrefix, ProxyHeaderError error)
    {
        (int prefix, ProxyHeaderError actual) = FirstRefusal(bytes);
        Assert.True(error == actual, $"{name}: {actual}");
        Assert.True(decidingPrefix == prefix, $"{name}: refused after {prefix} bytes");
    }

    [Fact]
    public void DecoderRefusesAHeaderCutShortByTheEndOfTheStream()
    {
        byte[] header = V1("PROXY TCP4 192.0.2.7 198.51.100.9 56324 443\r\n");
        var decoder = new ProxyHeaderDecoder();
        var data = new ReadOnlySequence<byte>(header, 0, 20);
        Assert.False(decoder.TryDecode(ref data, out _));
        var ex = Assert.Throws<ProxyHeaderException>(() => decoder.CompleteAtEndOfStream(data.Length));
        Assert.Equal(ProxyHeaderError.Truncated, ex.Error);
        Assert.Contains("after 20 bytes", ex.Message);
    }

    [Fact]
    public void DecoderAcceptsAV2HeaderOfExactlyItsLimitAndRefusesOneByteMore()
    {
        const int limit = 300;
        byte[] fits = V2(1, 0x11, new byte[12], new byte[limit - 16 - 12]);
        (ProxyHeader header, byte[] rest) = Decode([.. fits, .. Client], [], limit);
        Assert.Equal(limit, header.HeaderBytes);
        Assert.Equal(Client, rest);

        byte[] over = V2(1, 0x11, new byte[12], new byte[limit - 16 - 12 + 1]);
        var data = new ReadOnlySequence<byte>(over, 0, 16);
        var ex = Assert.Throws<ProxyHeaderException>(() => new ProxyHeaderDecoder(limit).TryDecode(ref data, out _));
        Assert.Equal(ProxyHeaderError.HeaderTooLarge, ex.Error);
        Assert.Contains("301 bytes", ex.Message);
    }

    [Fact]
    public void DecoderAcceptsTheLongestV1LineTheSpecificationAllows()
    {
        string ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        string line = $"PROXY UNKNOWN {ffff} {ffff} 65535 65535\r\n";
        Assert.Equal(ProxyHeaderDecoder.MaxV1Bytes, line.Length);
        (ProxyHeader header, byte[] rest) = Decode([.. V1(line), .. Client], []);
        Assert.Equal(line.Length, header.HeaderBytes);
        Assert.Equal(Client, rest);
    }
}
