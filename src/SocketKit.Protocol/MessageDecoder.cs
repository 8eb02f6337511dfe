using System.Buffers;
using System.Buffers.Binary;

namespace SocketKit.Protocol;

/// <summary>
/// Turns a byte stream, in whatever pieces it arrives, into whole messages. Sans-I/O: it is fed
/// bytes and hands back messages; it never reads a socket.
/// </summary>
/// <remarks>
/// The decoder consumes the protoheader and the JSON header as soon as each is whole, and copies
/// content bytes into the message's own buffer as they come, so the caller never has to keep more
/// than one partial header. Every limit is checked at the first byte that decides it.
/// </remarks>
public sealed class MessageDecoder
{
    /// <summary>The size of the protoheader: an unsigned 16-bit big-endian header length.</summary>
    public const int ProtoHeaderLength = 2;

    private enum Phase { ProtoHeader, JsonHeader, Content }

    // Content buffers start at most this large and double as bytes arrive, so a header that declares a large
    // (allowed) length costs memory only for the bytes that actually come.
    private const int InitialContentBytes = 16 * 1024;

    private readonly ProtocolLimits _limits;
    private Phase _phase = Phase.ProtoHeader;
    private int _headerLength;
    private MessageHeader? _header;
    private byte[] _content = [];
    private int _contentFilled;
    private ProtocolException? _failure; // Set by the first error: a length-prefixed stream cannot resynchronise.

    /// <summary>Creates a decoder that enforces <paramref name="limits"/> (default <see cref="ProtocolLimits.Default"/>).</summary>
    public MessageDecoder(ProtocolLimits? limits = null) => _limits = limits ?? ProtocolLimits.Default;

    /// <summary>The limits this decoder enforces.</summary>
    public ProtocolLimits Limits => _limits;

    /// <summary>True between messages: nothing of a next message has been consumed yet.</summary>
    public bool IsAtMessageBoundary => _phase == Phase.ProtoHeader;

    /// <summary>The header of the message being read, once it is whole; null before.</summary>
    public MessageHeader? PendingHeader => _header;

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> and returns true with a message once one is whole.
    /// On return <paramref name="input"/> holds what was not consumed: at most a partial protoheader or
    /// JSON header, or bytes after the returned message. Call again until it returns false.
    /// </summary>
    /// <exception cref="ProtocolException">The bytes break the protocol or a limit; the stream cannot be read further.</exception>
    /// <exception cref="InvalidOperationException">An earlier call threw a <see cref="ProtocolException"/>: the stream cannot be read further.</exception>
    public bool TryDecode(ref ReadOnlySequence<byte> input, out Message message)
    {
        ThrowIfFailed();
        try
        {
            return Decode(ref input, out message);
        }
        catch (ProtocolException ex)
        {
            _failure = ex;
            throw;
        }
    }

    private bool Decode(ref ReadOnlySequence<byte> input, out Message message)
    {
        while (true)
        {
            switch (_phase)
            {
                case Phase.ProtoHeader:
                    if (input.Length < ProtoHeaderLength)
                    {
                        message = default;
                        return false;
                    }
                    _headerLength = ReadProtoHeader(input);
                    if (_headerLength == 0)
                    {
                        throw new ProtocolException(ProtocolError.EmptyHeader, "the protoheader announced a JSON header of 0 bytes; a header is a JSON object of at least 2 bytes");
                    }
                    if (_headerLength > _limits.MaxHeaderBytes)
                    {
                        throw new ProtocolException(ProtocolError.HeaderTooLarge,
                            $"the protoheader announced a JSON header of {_headerLength:N0} bytes; the limit is {_limits.MaxHeaderBytes:N0} bytes");
                    }
                    input = input.Slice(ProtoHeaderLength);
                    _phase = Phase.JsonHeader;
                    break;

                case Phase.JsonHeader:
                    if (input.Length < _headerLength)
                    {
                        message = default;
                        return false;
                    }
                    _header = MessageHeaderParser.Parse(input.Slice(0, _headerLength), _limits);
                    input = input.Slice(_headerLength);
                    _content = _header.ContentLength == 0 ? [] : new byte[Math.Min(_header.ContentLength, InitialContentBytes)];
                    _contentFilled = 0;
                    _phase = Phase.Content;
                    break;

                case Phase.Content:
                    int length = _header!.ContentLength;
                    while (_contentFilled < length)
                    {
                        if (input.IsEmpty)
                        {
                            message = default;
                            return false;
                        }
                        if (_contentFilled == _content.Length)
                        {
                            Array.Resize(ref _content, (int)Math.Min(length, 2L * _content.Length));
                        }
                        int take = (int)Math.Min(_content.Length - _contentFilled, input.Length);
                        input.Slice(0, take).CopyTo(_content.AsSpan(_contentFilled));
                        input = input.Slice(take);
                        _contentFilled += take;
                    }
                    message = new Message(_header!, _content);
                    _header = null;
                    _content = [];
                    _phase = Phase.ProtoHeader;
                    return true;
            }
        }
    }

    /// <summary>
    /// Says whether the stream may end here. Call it when the peer has closed: it throws
    /// <see cref="ProtocolError.TruncatedMessage"/> when a message was begun and not finished.
    /// </summary>
    /// <param name="unconsumedBytes">Bytes the caller still holds that <see cref="TryDecode"/> left unconsumed.</param>
    /// <exception cref="InvalidOperationException">An earlier call threw a <see cref="ProtocolException"/>: the stream cannot be read further.</exception>
    public void CompleteAtEndOfStream(long unconsumedBytes)
    {
        ThrowIfFailed();
        if (_phase == Phase.ProtoHeader && unconsumedBytes == 0)
        {
            return;
        }
        string where = _phase switch
        {
            Phase.ProtoHeader => $"after {unconsumedBytes} of the {ProtoHeaderLength} protoheader bytes",
            Phase.JsonHeader => $"after {unconsumedBytes:N0} of the {_headerLength:N0} JSON header bytes",
            _ => $"after {_contentFilled:N0} of the {_header!.ContentLength:N0} content bytes",
        };
        throw _failure = new ProtocolException(ProtocolError.TruncatedMessage, $"the stream ended in the middle of a message, {where}");
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException($"the stream broke the protocol ({_failure.Error}: {_failure.Message}) and cannot be read further");
        }
    }

    private static int ReadProtoHeader(ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> first = input.FirstSpan;
        if (first.Length >= ProtoHeaderLength)
        {
            return BinaryPrimitives.ReadUInt16BigEndian(first);
        }
        Span<byte> two = stackalloc byte[ProtoHeaderLength];
        input.Slice(0, ProtoHeaderLength).CopyTo(two);
        return BinaryPrimitives.ReadUInt16BigEndian(two);
    }
}
