using System.Buffers;

namespace SocketKit.Protocol;

/// <summary>
/// The client's side of one connection's conversation, without I/O: the counterpart of <see cref="ServerConversation"/>
/// (h11's <c>Connection</c> in the client role). It is given each request and writes its bytes; it is fed the bytes the
/// connection receives, in any split, and hands back the answers in request order. The client's rules of PROTOCOL.md
/// live here and nowhere else: each answer belongs to the oldest request awaiting one (requests may be pipelined); an
/// answer without keep-alive means the server closes after it, so the requests still in flight are lost and no
/// request may follow; a request sent without keep-alive is the last; bytes nobody asked for, a stream that ends in
/// an answer, and one that ends with answers owed break the conversation, and that error is sticky.
/// </summary>
/// <remarks>
/// A caller sends with <see cref="Send(IBufferWriter{byte}, Message)"/> while <see cref="CanSend"/>, and loops on
/// <see cref="Receive"/>: <see cref="ClientConversationEventKind.NeedData"/> means wait for more bytes,
/// <see cref="ClientConversationEventKind.Answer"/> hands out the next answer, <see cref="ClientConversationEventKind.ProtocolError"/>
/// means give up on the connection. When the server closes, <see cref="ReceiveEndOfStream"/> says whether it was
/// allowed to. Once in <see cref="ClientConversationState.Error"/>, every call reports the same <see cref="Failure"/>:
/// <see cref="Receive"/> and <see cref="ReceiveEndOfStream"/> return it, <see cref="Send(IBufferWriter{byte}, Message)"/> throws it.
/// </remarks>
public sealed class ClientConversation
{
    private readonly MessageDecoder _decoder;
    private ClientConversationState _state = ClientConversationState.Ready;
    private int _inFlight;
    private long _answered;
    private bool _lastSent; // A request went without keep-alive: the server closes once it has answered it.

    /// <summary>Creates the conversation of one connection, its decoder enforcing <paramref name="limits"/> (default <see cref="ProtocolLimits.Default"/>).</summary>
    public ClientConversation(ProtocolLimits? limits = null) => _decoder = new MessageDecoder(limits);

    /// <summary>The limits the conversation's decoder enforces on answers.</summary>
    public ProtocolLimits Limits => _decoder.Limits;

    /// <summary>Where the conversation stands.</summary>
    public ClientConversationState State => _state;

    /// <summary>
    /// Requests sent and not answered. Once an answer without keep-alive ended the conversation, these are the requests
    /// that will never be answered on this connection (to send again on another).
    /// </summary>
    public int InFlight => _inFlight;

    /// <summary>How many answers have come on this connection.</summary>
    public long Answered => _answered;

    /// <summary>
    /// True while another request may go on this connection: the conversation has not ended, and no request was sent
    /// without keep-alive (that one is the last: the server closes after answering it).
    /// </summary>
    public bool CanSend => !_lastSent && _state is ClientConversationState.Ready or ClientConversationState.Awaiting or ClientConversationState.Receiving;

    /// <summary>
    /// True once the server is known to close: an answer came without keep-alive, or the last request asked none. A
    /// close from the server then is the conversation's end, not a fault.
    /// </summary>
    public bool ServerCloses => _lastSent || _state == ClientConversationState.Done;

    /// <summary>The broken rule that ended the conversation, once it is in <see cref="ClientConversationState.Error"/>; null before.</summary>
    public ProtocolException? Failure { get; private set; }

    /// <summary>
    /// Writes <paramref name="request"/> to <paramref name="output"/> and counts it in flight. Its header's
    /// <see cref="MessageHeader.KeepAlive"/> asks the server to keep the connection; a request without it is the last.
    /// </summary>
    /// <exception cref="ProtocolException">The conversation is in <see cref="ClientConversationState.Error"/>: its <see cref="Failure"/>.</exception>
    /// <exception cref="InvalidOperationException">No request may be sent (see <see cref="CanSend"/>).</exception>
    /// <exception cref="ArgumentException">The header does not describe the content, or is too long for the protoheader.</exception>
    public void Send(IBufferWriter<byte> output, Message request) => Send(output, request.Header, request.Content.Span);

    /// <inheritdoc cref="Send(IBufferWriter{byte}, Message)"/>
    public void Send(IBufferWriter<byte> output, MessageHeader header, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(header);
        EnsureCanSend(1);
        MessageEncoder.Write(output, header, content);
        Count(1, header.KeepAlive);
    }

    /// <summary>
    /// Counts <paramref name="count"/> requests in flight whose bytes the caller wrote itself (a batch encoded once and
    /// sent again and again, as a load generator does): each but the last asks keep-alive, the last as
    /// <paramref name="lastKeepsAlive"/> says.
    /// </summary>
    /// <exception cref="ProtocolException">The conversation is in <see cref="ClientConversationState.Error"/>: its <see cref="Failure"/>.</exception>
    /// <exception cref="InvalidOperationException">No request may be sent (see <see cref="CanSend"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public void Sent(int count, bool lastKeepsAlive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        EnsureCanSend(count);
        Count(count, lastKeepsAlive);
    }

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> up to the end of the next whole answer. On return
    /// <paramref name="input"/> holds what was not consumed (the start of a next answer, to offer again with more);
    /// after a protocol error every byte is consumed and dropped unread.
    /// </summary>
    public ClientConversationEvent Receive(ref ReadOnlySequence<byte> input)
    {
        if (_state == ClientConversationState.Error)
        {
            input = input.Slice(input.End);
            return ClientConversationEvent.Failed(Failure!);
        }
        if (input.IsEmpty)
        {
            return _state == ClientConversationState.Done ? ClientConversationEvent.Finished : ClientConversationEvent.NeedData;
        }
        if (_state == ClientConversationState.Done || _inFlight == 0)
        {
            // Decided at the first byte: a length-prefixed stream has no way to say what these bytes were meant to be.
            string when = _state == ClientConversationState.Done
                ? "after an answer that ended the conversation (the server closes after it)"
                : "while no request awaited an answer";
            var unrequested = new ProtocolException(ProtocolError.UnrequestedAnswer, $"the server sent {input.Length:N0} bytes {when}");
            input = input.Slice(input.End);
            return Fail(unrequested);
        }
        try
        {
            if (_decoder.TryDecode(ref input, out Message answer))
            {
                _inFlight--;
                long sequence = _answered++;
                // Without keep-alive the server closes now; with it, the conversation ends only if the client asked none.
                _state = !answer.Header.KeepAlive || (_lastSent && _inFlight == 0) ? ClientConversationState.Done : Between(input);
                return ClientConversationEvent.Of(answer, sequence);
            }
        }
        catch (ProtocolException ex)
        {
            input = input.Slice(input.End);
            return Fail(ex);
        }
        _state = Between(input);
        return ClientConversationEvent.NeedData;
    }

    /// <summary>
    /// The server finished sending; <paramref name="unconsumedBytes"/> is what <see cref="Receive"/> left unconsumed.
    /// Returns null when it was allowed to (the conversation is then <see cref="ClientConversationState.Done"/>): no
    /// answer was owed, or the server had said it closes. Otherwise the conversation is in
    /// <see cref="ClientConversationState.Error"/> and this returns why: <see cref="ProtocolError.TruncatedMessage"/> in
    /// the middle of an answer, <see cref="ProtocolError.UnansweredRequest"/> with requests unanswered. Once in
    /// <see cref="ClientConversationState.Error"/> it returns the same <see cref="Failure"/>.
    /// </summary>
    public ProtocolException? ReceiveEndOfStream(long unconsumedBytes)
    {
        switch (_state)
        {
            case ClientConversationState.Error:
                return Failure;
            case ClientConversationState.Done:
                return null;
        }
        try
        {
            _decoder.CompleteAtEndOfStream(unconsumedBytes);
        }
        catch (ProtocolException ex)
        {
            Fail(ex);
            return ex;
        }
        if (_inFlight > 0)
        {
            string which = _answered == 0 ? "before any answer" : $"after {_answered:N0} answers";
            Fail(new ProtocolException(ProtocolError.UnansweredRequest,
                $"the server closed the connection {which}, with {_inFlight:N0} request{(_inFlight == 1 ? "" : "s")} unanswered"));
            return Failure;
        }
        _state = ClientConversationState.Done;
        return null;
    }

    private void EnsureCanSend(int count)
    {
        if (_state == ClientConversationState.Error)
        {
            throw Failure!;
        }
        if (!CanSend)
        {
            throw new InvalidOperationException(_lastSent
                ? "the last request was sent without keep-alive: the server closes after answering it, so no request may follow"
                : "the server answered without keep-alive and closes: no request may follow on this connection");
        }
        if (_inFlight > int.MaxValue - count)
        {
            throw new InvalidOperationException("too many requests in flight");
        }
    }

    private void Count(int count, bool lastKeepsAlive)
    {
        _inFlight += count;
        _lastSent = !lastKeepsAlive;
        if (_state == ClientConversationState.Ready)
        {
            _state = ClientConversationState.Awaiting;
        }
    }

    private ClientConversationEvent Fail(ProtocolException error)
    {
        _state = ClientConversationState.Error;
        Failure = error;
        return ClientConversationEvent.Failed(error);
    }

    /// <summary>Where the conversation stands between two answers, or inside one: by what the decoder holds and what is left unconsumed.</summary>
    private ClientConversationState Between(ReadOnlySequence<byte> unconsumed) =>
        _inFlight == 0 ? ClientConversationState.Ready
        : !_decoder.IsAtMessageBoundary || !unconsumed.IsEmpty ? ClientConversationState.Receiving
        : ClientConversationState.Awaiting;
}
