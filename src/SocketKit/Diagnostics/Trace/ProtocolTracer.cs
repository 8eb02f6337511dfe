using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SocketKit.Diagnostics.Trace;

/// <summary>
/// Decodes one direction of a relayed connection with the protocol's own <see cref="MessageDecoder"/>, fed a copy of
/// the bytes, and describes each whole message: protoheader, JSON header as sent, content (JSON indented, anything
/// else as a hex dump). Bytes that break the protocol are described as raw hex with the decoder's verdict; since a
/// length-prefixed stream cannot resynchronise, everything after them is shown raw too. The tracers of one connection
/// (<see cref="ForConnection"/>) read the answers through the client's <see cref="ClientConversation"/>, told of each
/// request as it passes: an answer nobody asked for, or bytes after the answer the server closes with, break the
/// protocol too.
/// </summary>
public sealed class ProtocolTracer
{
    private readonly MessageDecoder _decoder = new();
    private readonly Conversation? _conversation; // Shared by a connection's two tracers; null for a tracer of its own.
    private readonly bool _answers;
    private readonly List<byte> _message = [];
    private readonly int _maxDumpBytes;
    private byte[] _pending = [];
    private bool _broken;
    private int _count;

    /// <summary>Creates a tracer that dumps at most <paramref name="maxDumpBytes"/> bytes of binary content per message (default 512).</summary>
    public ProtocolTracer(int maxDumpBytes = 512) => _maxDumpBytes = maxDumpBytes;

    private ProtocolTracer(int maxDumpBytes, Conversation conversation, bool answers)
        : this(maxDumpBytes)
    {
        _conversation = conversation;
        _answers = answers;
    }

    /// <summary>
    /// The two tracers of one connection: the requests' (client to server), which tells the conversation of each
    /// request, and the answers' (server to client), which reads through it. Each may be fed from its own thread.
    /// </summary>
    public static (ProtocolTracer Requests, ProtocolTracer Answers) ForConnection(int maxDumpBytes = 512)
    {
        var conversation = new Conversation();
        return (new ProtocolTracer(maxDumpBytes, conversation, answers: false), new ProtocolTracer(maxDumpBytes, conversation, answers: true));
    }

    /// <summary>The client's conversation of one connection, between the threads of its two directions.</summary>
    private sealed class Conversation
    {
        public Lock Gate { get; } = new();

        public ClientConversation Client { get; } = new();
    }

    /// <summary>True once the stream broke the protocol; later bytes are described raw.</summary>
    public bool IsBroken => _broken;

    /// <summary>Feeds the next bytes of the stream; returns a description of each message (or error) they complete.</summary>
    public IReadOnlyList<string> Feed(ReadOnlySpan<byte> data)
    {
        var described = new List<string>();
        if (_broken)
        {
            described.Add($"{data.Length} bytes, not decoded (the stream broke the protocol above):\n" + HexDump.Format(data, maxBytes: _maxDumpBytes));
            return described;
        }
        byte[] buffer = new byte[_pending.Length + data.Length];
        _pending.CopyTo(buffer, 0);
        data.CopyTo(buffer.AsSpan(_pending.Length));
        var input = new ReadOnlySequence<byte>(buffer);
        int offset = 0;
        while (true)
        {
            long before = input.Length;
            bool whole;
            Message message;
            string? note;
            try
            {
                whole = Next(ref input, out message, out note);
            }
            catch (ProtocolException ex)
            {
                _broken = true;
                _message.AddRange(buffer.AsSpan(offset).ToArray());
                described.Add($"{_message.Count} bytes that are not valid protocol: {ex.Error}: {ex.Message}\n" + HexDump.Format(_message.ToArray(), maxBytes: _maxDumpBytes));
                _message.Clear();
                _pending = [];
                return described;
            }
            int consumed = (int)(before - input.Length);
            _message.AddRange(buffer.AsSpan(offset, consumed).ToArray());
            offset += consumed;
            if (!whole)
            {
                break;
            }
            described.Add(Describe(++_count, _message.ToArray(), message) + note);
            _message.Clear();
        }
        _pending = buffer.AsSpan(offset).ToArray();
        return described;
    }

    /// <summary>The next whole message, and a note on it for the conversation's sake (null when there is nothing to say).</summary>
    /// <exception cref="ProtocolException">The bytes break the protocol.</exception>
    private bool Next(ref ReadOnlySequence<byte> input, out Message message, out string? note)
    {
        note = null;
        if (_conversation is null)
        {
            return _decoder.TryDecode(ref input, out message);
        }
        lock (_conversation.Gate)
        {
            ClientConversation client = _conversation.Client;
            if (!_answers)
            {
                if (!_decoder.TryDecode(ref input, out message))
                {
                    return false;
                }
                if (client.CanSend)
                {
                    client.Sent(1, message.Header.KeepAlive);
                }
                else if (client.State is not ClientConversationState.Error)
                {
                    note = "  (sent after the client's last request, or after the server said it closes: it is not answered)\n";
                }
                return true;
            }
            ClientConversationEvent next = client.Receive(ref input);
            message = next.Answer;
            if (next.Kind == ClientConversationEventKind.ProtocolError)
            {
                throw next.Error!;
            }
            if (next.Kind == ClientConversationEventKind.Answer && !next.KeepsConnection && client.InFlight > 0)
            {
                note = $"  (the server closes after this answer: {client.InFlight} request{(client.InFlight == 1 ? " sent after it goes" : "s sent after it go")} unanswered)\n";
            }
            return next.Kind == ClientConversationEventKind.Answer;
        }
    }

    private string Describe(int number, byte[] bytes, Message message)
    {
        int headerLength = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 2, headerLength);
        var sb = new StringBuilder();
        sb.Append($"message {number}: {bytes.Length:N0} bytes\n");
        sb.Append($"  protoheader: {bytes[0]:x2} {bytes[1]:x2} (JSON header of {headerLength} bytes)\n");
        sb.Append($"  header: {header}\n");
        sb.Append($"  content: {message.Content.Length:N0} bytes, {message.Header.ContentType}, {message.Header.ContentEncoding}\n");
        if (message.Header.IsJson)
        {
            try
            {
                using JsonDocument document = JsonContent.Parse(message.Content, message.Header.ContentEncoding);
                foreach (string line in Indented(document.RootElement).Split('\n'))
                {
                    sb.Append("    ").Append(line).Append('\n');
                }
                return sb.ToString();
            }
            catch (ProtocolException ex)
            {
                sb.Append($"  (not decodable as {message.Header.ContentEncoding} JSON: {ex.Message})\n");
            }
        }
        sb.Append(HexDump.Format(message.Content.Span, maxBytes: _maxDumpBytes));
        return sb.ToString();
    }

    /// <summary>
    /// JSON indented as Python's json.dumps(indent=2, ensure_ascii=False) writes it: characters as they are (🐰, not
    /// \uD83D\uDC30, which System.Text.Json's encoders write for anything outside the BMP), each value as Python writes it.
    /// </summary>
    private static string Indented(JsonElement element)
    {
        var sb = new StringBuilder();
        WriteIndented(sb, element, 0);
        return sb.ToString();
    }

    private static void WriteIndented(StringBuilder sb, JsonElement element, int depth)
    {
        string inner = new(' ', 2 * (depth + 1));
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.EnumerateObject().Any():
                sb.Append("{\n");
                bool first = true;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    sb.Append(first ? "" : ",\n").Append(inner);
                    sb.Append(JsonContent.Write(w => w.WriteStringValue(property.Name)) is var name ? Encoding.UTF8.GetString(name) : "");
                    sb.Append(": ");
                    WriteIndented(sb, property.Value, depth + 1);
                    first = false;
                }
                sb.Append('\n').Append(' ', 2 * depth).Append('}');
                break;
            case JsonValueKind.Array when element.GetArrayLength() > 0:
                sb.Append("[\n");
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    sb.Append(index++ == 0 ? "" : ",\n").Append(inner);
                    WriteIndented(sb, item, depth + 1);
                }
                sb.Append('\n').Append(' ', 2 * depth).Append(']');
                break;
            default:
                sb.Append(JsonContent.ToPythonJson(element));
                break;
        }
    }
}
