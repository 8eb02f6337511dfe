using System.Buffers;
using BenchmarkDotNet.Attributes;
using SocketKit.Protocol;

namespace SocketKit.Benchmarks;

/// <summary>
/// The cost of the protocol core per message: decoding whole or split input, and encoding, for a small
/// search request (the tutorial's) and a 64 KiB binary message. Bytes allocated per message include the
/// message's own content, which the decoder hands out as a new array.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private byte[] _wire = [];
    private ReadOnlySequence<byte> _split;
    private MessageHeader _header = null!;
    private byte[] _content = [];
    private readonly ArrayBufferWriter<byte> _output = new(128 * 1024);
    private readonly MessageDecoder _decoder = new(); // One per connection: a whole message leaves it ready for the next.

    /// <summary>"small": the reference's search request (146 bytes on the wire); "64KiB": a binary message of 65,536 content bytes.</summary>
    [Params("small", "64KiB")]
    public string Size { get; set; } = "small";

    [GlobalSetup]
    public void Setup()
    {
        if (Size == "small")
        {
            _content = "{\"action\": \"search\", \"value\": \"morpheus\"}"u8.ToArray();
            _header = new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, _content.Length);
        }
        else
        {
            _content = new byte[64 * 1024];
            new Random(1).NextBytes(_content);
            _header = new MessageHeader(ContentTypes.ClientBinary, ContentTypes.BinaryEncoding, _content.Length);
        }
        _wire = MessageEncoder.Encode(_header, _content);
        _split = Segments.Split(_wire, 1460); // As TCP delivers it on an Ethernet MSS.
    }

    [Benchmark(Description = "decode, whole")]
    public int DecodeWhole()
    {
        var input = new ReadOnlySequence<byte>(_wire);
        _decoder.TryDecode(ref input, out Message message);
        return message.Content.Length;
    }

    [Benchmark(Description = "decode, 1460-byte segments")]
    public int DecodeSplit()
    {
        ReadOnlySequence<byte> input = _split;
        _decoder.TryDecode(ref input, out Message message);
        return message.Content.Length;
    }

    [Benchmark(Description = "encode")]
    public int Encode()
    {
        _output.ResetWrittenCount();
        MessageEncoder.Write(_output, _header, _content);
        return _output.WrittenCount;
    }

    /// <summary>A ReadOnlySequence over separate segments of <paramref name="size"/> bytes.</summary>
    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
        {
            var first = new Segments(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            Segments last = first;
            for (int at = size; at < bytes.Length; at += size)
            {
                var next = new Segments(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)), at);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
