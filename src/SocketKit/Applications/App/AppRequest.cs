using System.Runtime.CompilerServices;
using System.Text.Json;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Connections;

namespace SocketKit.Applications.App;

/// <summary>One request as a handler sees it: the header, the content, and for text/json the parsed JSON.</summary>
public sealed class AppRequest
{
    private readonly Message _message;
    private StrongBox<JsonElement?>? _json; // Read when first asked: most handlers read Parsed, or nothing.

    internal AppRequest(Message message, ConnectionInfo? connection, PythonValue? parsed)
    {
        Header = message.Header;
        Content = message.Content;
        Connection = connection;
        Parsed = parsed;
        _message = message;
    }

    /// <summary>The request's JSON header.</summary>
    public MessageHeader Header { get; }

    /// <summary>The raw content bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The connection the request came on (null when handled without a socket).</summary>
    public ConnectionInfo? Connection { get; }

    /// <summary>The content of a text/json request as Python's <c>json.loads</c> reads it, which is what the reference answers from; null otherwise.</summary>
    public PythonValue? Parsed { get; }

    /// <summary>
    /// The content of a text/json request as System.Text.Json reads it; null for other requests and for JSON it
    /// refuses though Python reads it (<c>NaN</c>, <c>Infinity</c>, lone surrogates).
    /// </summary>
    public JsonElement? Json
    {
        get
        {
            if (_json is null)
            {
                // Two threads may both read it: the same value, and either box will do.
                Interlocked.CompareExchange(ref _json, new StrongBox<JsonElement?>(Parsed is null ? null : ParseJsonElement(_message)), null);
            }
            return _json.Value;
        }
    }

    /// <summary>Python's <c>request.get("action")</c>: the "action" of an object request (null when absent or not an object).</summary>
    public PythonValue? ActionValue => Parsed?.Get("action");

    /// <summary>The "action" of an object request when it is a string; null otherwise.</summary>
    public string? Action => ActionValue?.AsString;

    /// <summary>The "value" of an object request, or null when absent (or not readable by System.Text.Json, see <see cref="Json"/>).</summary>
    public JsonElement? Value => Json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("value", out JsonElement v) ? v : null;

    private static JsonElement? ParseJsonElement(Message message)
    {
        try
        {
            using JsonDocument document = JsonContent.Parse(message.Content, message.Header.ContentEncoding);
            return document.RootElement.Clone();
        }
        catch (ProtocolException)
        {
            return null;
        }
    }
}
