using System.Text.Json;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Applications.App;

/// <summary>One request as a handler sees it: the header, the content, and for text/json the parsed JSON.</summary>
public sealed class AppRequest
{
    internal AppRequest(Message message, ConnectionInfo? connection, JsonElement? json)
    {
        Header = message.Header;
        Content = message.Content;
        Connection = connection;
        Json = json;
    }

    /// <summary>The request's JSON header.</summary>
    public MessageHeader Header { get; }

    /// <summary>The raw content bytes.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The connection the request came on (null when handled without a socket).</summary>
    public ConnectionInfo? Connection { get; }

    /// <summary>The parsed content, for text/json requests; null otherwise.</summary>
    public JsonElement? Json { get; }

    /// <summary>The "action" of a JSON object request, or null when there is none or it is not a string.</summary>
    public string? Action => Json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("action", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;

    /// <summary>The "value" of a JSON object request, or null when absent.</summary>
    public JsonElement? Value => Json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("value", out JsonElement v) ? v : null;
}
