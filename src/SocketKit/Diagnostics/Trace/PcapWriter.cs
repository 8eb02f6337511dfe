using System.Buffers.Binary;

namespace SocketKit.Diagnostics.Trace;

/// <summary>
/// Writes what crossed the relay as a classic pcap file (link type RAW: IPv4 or IPv6 packets) that Wireshark and
/// tshark open. Each relayed connection becomes one TCP conversation between the client and the upstream address,
/// with a synthesised handshake, consistent sequence numbers (so Wireshark reassembles messages across segments),
/// and FINs when a side closes. Thread-safe: both directions of every connection write to one file.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>The largest TCP payload put in one packet, in bytes, below IPv4's 65,535-byte packet limit.</summary>
    public const int MaxSegmentBytes = 32 * 1024;

    private const uint LinkTypeRaw = 101;
    private readonly Stream _stream;
    private readonly Lock _gate = new();
    private ushort _ipId;

    /// <summary>Starts a pcap file on <paramref name="stream"/>, which it owns.</summary>
    public PcapWriter(Stream stream)
    {
        _stream = stream;
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeRaw);
        _stream.Write(header);
        _stream.Flush();
    }

    /// <summary>Starts a conversation between <paramref name="client"/> and <paramref name="server"/> (same address family) and writes its handshake.</summary>
    public PcapFlow Open(IPEndPoint client, IPEndPoint server) => new(this, client, server);

    internal void WritePacket(IPEndPoint from, IPEndPoint to, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        bool v6 = from.AddressFamily == AddressFamily.InterNetworkV6;
        int ipLength = v6 ? 40 : 20;
        byte[] packet = new byte[ipLength + 20 + payload.Length];
        Span<byte> p = packet;
        lock (_gate)
        {
            if (v6)
            {
                p[0] = 0x60;
                BinaryPrimitives.WriteUInt16BigEndian(p[4..], (ushort)(20 + payload.Length));
                p[6] = 6;
                p[7] = 64;
                from.Address.TryWriteBytes(p[8..], out _);
                to.Address.TryWriteBytes(p[24..], out _);
            }
            else
            {
                p[0] = 0x45;
                BinaryPrimitives.WriteUInt16BigEndian(p[2..], (ushort)packet.Length);
                BinaryPrimitives.WriteUInt16BigEndian(p[4..], _ipId++);
                BinaryPrimitives.WriteUInt16BigEndian(p[6..], 0x4000);
                p[8] = 64;
                p[9] = 6;
                from.Address.TryWriteBytes(p[12..], out _);
                to.Address.TryWriteBytes(p[16..], out _);
                BinaryPrimitives.WriteUInt16BigEndian(p[10..], InternetChecksum.Compute(p[..20]));
            }
            Span<byte> tcp = p[ipLength..];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)from.Port);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)to.Port);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
            tcp[12] = 5 << 4;
            tcp[13] = flags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
            payload.CopyTo(tcp[20..]);

            long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
            Span<byte> record = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)packet.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)packet.Length);
            _stream.Write(record);
            _stream.Write(packet);
            _stream.Flush();
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stream.Dispose();
        }
    }
}

/// <summary>One TCP conversation in a pcap file: keeps each side's sequence number.</summary>
public sealed class PcapFlow
{
    private const byte Fin = 0x01, Syn = 0x02, Psh = 0x08, Ack = 0x10;
    private readonly PcapWriter _writer;
    private readonly IPEndPoint _client, _server;
    private readonly Lock _gate = new();
    private uint _clientSeq = 1_000, _serverSeq = 5_000;

    internal PcapFlow(PcapWriter writer, IPEndPoint client, IPEndPoint server)
    {
        (_writer, _client, _server) = (writer, client, server);
        lock (_gate)
        {
            _writer.WritePacket(_client, _server, _clientSeq++, 0, Syn, []);
            _writer.WritePacket(_server, _client, _serverSeq++, _clientSeq, Syn | Ack, []);
            _writer.WritePacket(_client, _server, _clientSeq, _serverSeq, Ack, []);
        }
    }

    /// <summary>Records bytes sent by the client (<paramref name="fromClient"/>) or the server, in segments of at most <see cref="PcapWriter.MaxSegmentBytes"/>.</summary>
    public void Data(bool fromClient, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            for (int offset = 0; offset < bytes.Length; offset += PcapWriter.MaxSegmentBytes)
            {
                ReadOnlySpan<byte> segment = bytes.Slice(offset, Math.Min(PcapWriter.MaxSegmentBytes, bytes.Length - offset));
                if (fromClient)
                {
                    _writer.WritePacket(_client, _server, _clientSeq, _serverSeq, Psh | Ack, segment);
                    _clientSeq += (uint)segment.Length;
                }
                else
                {
                    _writer.WritePacket(_server, _client, _serverSeq, _clientSeq, Psh | Ack, segment);
                    _serverSeq += (uint)segment.Length;
                }
            }
        }
    }

    /// <summary>Records that one side closed its half of the connection.</summary>
    public void Close(bool fromClient)
    {
        lock (_gate)
        {
            if (fromClient)
            {
                _writer.WritePacket(_client, _server, _clientSeq++, _serverSeq, Fin | Ack, []);
            }
            else
            {
                _writer.WritePacket(_server, _client, _serverSeq++, _clientSeq, Fin | Ack, []);
            }
        }
    }
}
