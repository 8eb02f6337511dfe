using System.Text.Json;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>
    /// Reads whole responses off one connection through its <see cref="ClientConversation"/>, from the bytes the loop
    /// hands it in any split, and checks that each is an answer of the application protocol (a text/json object whose
    /// first key is "result", as every answer to a search is); with verification it keeps each one's exact bytes to compare.
    /// </summary>
    private sealed class ResponseReader(Run run)
    {
        private readonly ArrayBufferWriter<byte>? _raw = run.Options.Verify ? new ArrayBufferWriter<byte>(256) : null;
        private ClientConversation _conversation = new();
        private byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        /// <summary>True once the server closes after the last answer read: the requests still <see cref="InFlight"/> are lost.</summary>
        public bool ServerCloses => _conversation.State == ClientConversationState.Done;

        /// <summary>Requests sent on this connection and not answered.</summary>
        public int InFlight => _conversation.InFlight;

        /// <summary>A new connection: a new conversation.</summary>
        public void Reset()
        {
            _conversation = new ClientConversation();
            _start = _end = 0;
            _raw?.ResetWrittenCount();
        }

        /// <summary>A batch of <paramref name="count"/> requests (the run's bytes, encoded once) went out, each asking keep-alive or not.</summary>
        public void Sent(int count, bool keepAlive) => _conversation.Sent(count, keepAlive);

        /// <summary>Bytes the connection received, kept until they make an answer.</summary>
        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            if (_buffer.Length - _end < bytes.Length)
            {
                int kept = _end - _start;
                byte[] target = kept + bytes.Length <= _buffer.Length ? _buffer : new byte[Math.Max(_buffer.Length * 2, kept + bytes.Length)];
                _buffer.AsSpan(_start, kept).CopyTo(target);
                _buffer = target;
                _start = 0;
                _end = kept;
            }
            bytes.CopyTo(_buffer.AsSpan(_end));
            _end += bytes.Length;
        }

        /// <summary>
        /// The next whole answer among the bytes received: false when more are needed; true with what was wrong with it
        /// (null if right) and whether it carried "keep-alive": true.
        /// </summary>
        /// <exception cref="ProtocolException">The bytes are not messages of the protocol, or no answer was awaited.</exception>
        public bool TryNext(out string? wrong, out bool keptAlive)
        {
            wrong = null;
            keptAlive = false;
            if (_end == _start)
            {
                return false;
            }
            var data = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            ClientConversationEvent next = _conversation.Receive(ref data);
            int consumed = _end - _start - (int)data.Length;
            _raw?.Write(_buffer.AsSpan(_start, consumed));
            _start += consumed;
            if (next.Kind == ClientConversationEventKind.ProtocolError)
            {
                throw next.Error!;
            }
            if (next.Kind != ClientConversationEventKind.Answer)
            {
                return false;
            }
            Message response = next.Answer;
            wrong = IsAnswer(response) ? null : BenchErrors.NotTheAppProtocol;
            if (_raw is not null && wrong is null)
            {
                byte[] expected = response.Header.KeepAlive ? run.ExpectedKeepAlive : run.ExpectedOneShot;
                wrong = _raw.WrittenSpan.SequenceEqual(expected) ? null : BenchErrors.WrongBytes;
            }
            _raw?.ResetWrittenCount();
            keptAlive = next.KeepsConnection;
            return true;
        }

        /// <summary>The server closed: whether the conversation allowed it (for the record: an answer awaited counts as closed either way).</summary>
        public void Ended() => _conversation.ReceiveEndOfStream(_end - _start);

        /// <summary>Whether a response is the protocol's answer to a search: JSON whose first key is "result" (an echo of the request is not).</summary>
        private static bool IsAnswer(Message response)
        {
            if (response.Header.ContentType != "text/json")
            {
                return false;
            }
            try
            {
                var json = new Utf8JsonReader(response.Content.Span);
                return json.Read() && json.TokenType == JsonTokenType.StartObject
                    && json.Read() && json.TokenType == JsonTokenType.PropertyName && json.ValueTextEquals("result"u8);
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
