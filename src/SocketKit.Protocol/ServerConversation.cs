using System.Buffers;

namespace SocketKit.Protocol;

/// <summary>
/// The server's side of one connection's conversation, without I/O (as h11's <c>Connection</c>): it is fed the bytes
/// the connection receives and hands back requests; it is given each response and writes its bytes. The rules of
/// PROTOCOL.md's conversation live here and nowhere else: one response per request, in order; keep-alive granted
/// exactly when the request asks for it; nothing read after a response without keep-alive; after a protocol error
/// one error answer, then nothing ever read again.
/// </summary>
/// <remarks>
/// A caller loops on <see cref="Receive"/>: <see cref="ConversationEventKind.NeedData"/> means wait for more bytes,
/// <see cref="ConversationEventKind.Request"/> and <see cref="ConversationEventKind.ProtocolError"/> mean answer with
/// <see cref="Respond"/> (after <see cref="RejectRequest"/> when the request's content proves bad),
/// <see cref="ConversationEventKind.Finished"/> means close once the answers are sent.
/// </remarks>
public sealed class ServerConversation
{
    private readonly MessageDecoder _decoder;
    private ConversationState _state = ConversationState.Idle;
    private bool _keepAlive;       // What the request owed an answer asked for.
    private bool _errorAnswerOwed; // A framing error's one answer has not been written yet.
    private bool _nextBegun;       // The last Receive left bytes of a next request unconsumed.

    /// <summary>Creates the conversation of one connection, its decoder enforcing <paramref name="limits"/> (default <see cref="ProtocolLimits.Default"/>).</summary>
    public ServerConversation(ProtocolLimits? limits = null) => _decoder = new MessageDecoder(limits);

    /// <summary>The limits the conversation's decoder enforces.</summary>
    public ProtocolLimits Limits => _decoder.Limits;

    /// <summary>Where the conversation stands.</summary>
    public ConversationState State => _state;

    /// <summary>True while <see cref="Respond"/> may write: a request is owed its response, or a protocol error its one answer.</summary>
    public bool IsAnswerOwed => _state == ConversationState.Answering || _errorAnswerOwed;

    /// <summary>The broken rule that ended the conversation, once it is in <see cref="ConversationState.Error"/>; null before.</summary>
    public ProtocolException? Failure { get; private set; }

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> up to the end of the next whole request. On return
    /// <paramref name="input"/> holds what was not consumed (the start of a next request, to offer again with more);
    /// after a protocol error, and once the conversation is over, every byte is consumed and dropped unread.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request received last has not been answered yet.</exception>
    public ConversationEvent Receive(ref ReadOnlySequence<byte> input)
    {
        switch (_state)
        {
            case ConversationState.Answering:
                throw new InvalidOperationException("the request received last has not been answered: call Respond before receiving more");
            case ConversationState.Done or ConversationState.Error:
                input = input.Slice(input.End);
                return ConversationEvent.Finished;
        }
        try
        {
            if (_decoder.TryDecode(ref input, out Message request))
            {
                _keepAlive = request.Header.KeepAlive;
                _nextBegun = !input.IsEmpty;
                _state = ConversationState.Answering;
                return ConversationEvent.Of(request);
            }
        }
        catch (ProtocolException ex)
        {
            // Nothing has been sent since the last response, so the peer can still read one: the error's answer.
            Fail(ex);
            _errorAnswerOwed = true;
            input = input.Slice(input.End);
            return ConversationEvent.Failed(ex);
        }
        _nextBegun = !input.IsEmpty;
        _state = Reading();
        return ConversationEvent.NeedData;
    }

    /// <summary>
    /// Writes the response owed to <paramref name="output"/>, with keep-alive as the conversation decides it: granted
    /// when the request asked for it (the conversation goes on), never after a protocol error (it is over).
    /// </summary>
    /// <exception cref="InvalidOperationException">No answer is owed (see <see cref="IsAnswerOwed"/>).</exception>
    /// <exception cref="ArgumentException">The content type or encoding makes a header the protoheader cannot announce.</exception>
    public void Respond(IBufferWriter<byte> output, string contentType, string contentEncoding, ReadOnlySpan<byte> content)
    {
        if (_state == ConversationState.Answering)
        {
            MessageEncoder.Write(output, contentType, contentEncoding, content, _keepAlive);
            _state = !_keepAlive ? ConversationState.Done : _nextBegun ? ConversationState.Header : ConversationState.Idle;
        }
        else if (_errorAnswerOwed)
        {
            MessageEncoder.Write(output, contentType, contentEncoding, content, keepAlive: false);
            _errorAnswerOwed = false;
        }
        else
        {
            throw new InvalidOperationException($"no request awaits an answer: the conversation is {_state}");
        }
    }

    /// <summary>
    /// Writes the response owed to <paramref name="output"/> without keep-alive, whatever the request asked, and ends the
    /// conversation (<see cref="ConversationState.Done"/>): the answer a server gives when it cannot go on with this
    /// client, such as a handler that failed, after which the connection closes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No request awaits an answer.</exception>
    public void RespondAndEnd(IBufferWriter<byte> output, string contentType, string contentEncoding, ReadOnlySpan<byte> content)
    {
        if (_state != ConversationState.Answering)
        {
            throw new InvalidOperationException($"no request awaits an answer: the conversation is {_state}");
        }
        MessageEncoder.Write(output, contentType, contentEncoding, content, keepAlive: false);
        _state = ConversationState.Done;
    }

    /// <summary>
    /// The request owed an answer turned out bad when its content was read (by the caller, after <see cref="Receive"/>).
    /// An error that leaves the stream in step (<see cref="ProtocolException.StreamInSync"/>) changes nothing: the
    /// answer says what was wrong and the conversation goes on as the request asked. Any other (a limit, such as
    /// <see cref="ProtocolError.NestingTooDeep"/>) ends it as the decoder's own errors do: <see cref="ConversationState.Error"/>,
    /// and the answer owed is written without keep-alive.
    /// </summary>
    /// <exception cref="InvalidOperationException">No request awaits an answer.</exception>
    public void RejectRequest(ProtocolException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (_state != ConversationState.Answering)
        {
            throw new InvalidOperationException($"no request awaits an answer: the conversation is {_state}");
        }
        if (!error.StreamInSync)
        {
            Fail(error);
            _errorAnswerOwed = true;
        }
    }

    /// <summary>
    /// The peer finished sending; <paramref name="unconsumedBytes"/> is what <see cref="Receive"/> left unconsumed.
    /// Between requests the conversation is <see cref="ConversationState.Done"/> and this returns null; in the middle of
    /// a request it is <see cref="ConversationState.Error"/> and this returns the <see cref="ProtocolError.TruncatedMessage"/>
    /// error, with no answer owed (as the reference, which answers no unfinished request). Once the conversation is
    /// over it does nothing and returns null.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request received last has not been answered yet.</exception>
    public ProtocolException? ReceiveEndOfStream(long unconsumedBytes)
    {
        switch (_state)
        {
            case ConversationState.Answering:
                throw new InvalidOperationException("the request received last has not been answered: call Respond before ending the stream");
            case ConversationState.Done or ConversationState.Error:
                return null;
        }
        try
        {
            _decoder.CompleteAtEndOfStream(unconsumedBytes);
            _state = ConversationState.Done;
            return null;
        }
        catch (ProtocolException ex)
        {
            Fail(ex);
            return ex;
        }
    }

    private void Fail(ProtocolException error)
    {
        _state = ConversationState.Error;
        Failure = error;
    }

    private ConversationState Reading() =>
        _decoder.PendingHeader is not null ? ConversationState.Content
        : !_decoder.IsAtMessageBoundary || _nextBegun ? ConversationState.Header
        : ConversationState.Idle;
}
