using SocketKit.Applications.MultiConn;
using SocketKit.Protocol.Python;

namespace SocketKit.Cli.Output;

/// <summary>What each of multiconn-client's connections got back, in order.</summary>
internal sealed record MultiConnClientResult(IReadOnlyList<MultiConnResult> Connections);

/// <summary>A line per connection: what came back, or why it failed.</summary>
internal sealed class MultiConnClientText : IResultRenderer<MultiConnClientResult>
{
    public string Render(MultiConnClientResult result)
    {
        var text = new StringBuilder();
        foreach (MultiConnResult r in result.Connections)
        {
            text.Append(r.Complete
                ? $"Connection {r.ConnectionId} received {PythonBytes.Repr(r.Received)}"
                : $"Connection {r.ConnectionId} failed: {r.Error}{Explain.WhatToCheck.Hint(r.TlsRefusal)}").Append('\n');
        }
        return text.ToString();
    }
}

/// <summary><c>connections</c>: an object per connection.</summary>
internal sealed class MultiConnClientJson : JsonObjectRenderer<MultiConnClientResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, MultiConnClientResult result)
    {
        json.WriteStartArray("connections");
        foreach (MultiConnResult r in result.Connections)
        {
            json.WriteStartObject();
            json.WriteNumber("id", r.ConnectionId);
            json.WriteNumber("sent_bytes", r.Sent.Length);
            json.WriteNumber("received_bytes", r.Received.Length);
            json.WriteBoolean("complete", r.Complete);
            json.WriteString("error", r.Error);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
