using SocketKit.Protocol.Python;

namespace SocketKit.Cli.Output;

/// <summary>What echo-client sent and what came back.</summary>
internal sealed record EchoClientResult(byte[] Sent, byte[] Received)
{
    /// <summary>The index of the first byte where the echo differs from what was sent, or -1 when it is the same.</summary>
    public int FirstDifference
    {
        get
        {
            int common = Sent.AsSpan().CommonPrefixLength(Received);
            return common == Sent.Length && common == Received.Length ? -1 : common;
        }
    }
}

/// <summary>As echo-client.py prints it: "Received b'...'".</summary>
internal sealed class EchoClientText : IResultRenderer<EchoClientResult>
{
    public string Render(EchoClientResult result) => $"Received {PythonBytes.Repr(result.Received)}\n";
}

/// <summary>The echo as Python shows bytes and as base64, and whether it matches what was sent.</summary>
internal sealed class EchoClientJson : JsonObjectRenderer<EchoClientResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, EchoClientResult result)
    {
        json.WriteNumber("received_bytes", result.Received.Length);
        json.WriteString("received", PythonBytes.Repr(result.Received));
        json.WriteString("received_base64", Convert.ToBase64String(result.Received));
        json.WriteBoolean("echo_matches", result.FirstDifference < 0);
    }
}
