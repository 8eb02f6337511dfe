using System.Text.Json;
using SocketKit.Protocol;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>
    /// Reads whole responses off one connection through its <see cref="ClientConversation"/>, and checks that each is an
    /// answer of the application protocol (a text/json object whose first key is "result", as every answer to a search
    /// is); with verification it keeps each one's exact bytes to compare.
    /// </summary>
    private sealed class ResponseReader(bool verify)
    {
        private readonly ArrayBufferWriter<byte>? _raw = verify ? new ArrayBufferWriter<byte>(256) : null;
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

        /// <summary>
        /// Returns the bytes received while reading, what was wrong with the response (null if right), and whether it
        /// carried "keep-alive": true.
        /// </summary>
        /// <exception cref="ProtocolException">The bytes are not a message of the protocol.</exception>
        /// <exception cref="BenchFailure">The server closed before the answer was whole.</exception>
        public async ValueTask<(int Received, string? Wrong, bool KeepAlive)> ReadAsync(BenchConnection socket, Run run, CancellationToken cancellationToken)
        {
            int received = 0;
            while (true)
            {
                if (_end > _start)
                {
                    var data = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                    ClientConversationEvent next = _conversation.Receive(ref data);
                    int consumed = _end - _start - (int)data.Length;
                    _raw?.Write(_buffer.AsSpan(_start, consumed));
                    _start += consumed;
                    if (next.Kind == ClientConversationEventKind.ProtocolError)
                    {
                        throw next.Error!;
                    }
                    if (next.Kind == ClientConversationEventKind.Answer)
                    {
                        Message response = next.Answer;
                        string? wrong = IsAnswer(response) ? null : BenchErrors.NotTheAppProtocol;
                        if (_raw is not null && wrong is null)
                        {
                            byte[] expected = response.Header.KeepAlive ? run.ExpectedKeepAlive : run.ExpectedOneShot;
                            wrong = _raw.WrittenSpan.SequenceEqual(expected) ? null : BenchErrors.WrongBytes;
                        }
                        _raw?.ResetWrittenCount();
                        return (received, wrong, next.KeepsConnection);
                    }
                }
                if (_start == _end)
                {
                    _start = _end = 0;
                }
                else if (_end == _buffer.Length)
                {
                    if (_start > 0)
                    {
                        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                        _end -= _start;
                        _start = 0;
                    }
                    else
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }
                }
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
                if (n == 0)
                {
                    // An answer was awaited, so the close is the conversation's error (cut in an answer, or before it): counted as closed.
                    _conversation.ReceiveEndOfStream(_end - _start);
                    throw new BenchFailure(BenchErrors.Closed);
                }
                _end += n;
                received += n;
            }
        }

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
