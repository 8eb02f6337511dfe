using System.Text.Json;
using SocketKit.Applications.App;
using SocketKit.Protocol;

namespace SocketKit.Cli.Output;

/// <summary>What app-client got: the server's one response.</summary>
internal sealed record AppClientResult(Message Response);

/// <summary>As the reference prints it: "Got result: ..." for JSON, "Got response: b'...'" otherwise.</summary>
internal sealed class AppClientText : IResultRenderer<AppClientResult>
{
    public string Render(AppClientResult result) => AppClient.Describe(result.Response) + "\n";
}

/// <summary>The header's fields, and the content as JSON (text/json) or base64 (anything else).</summary>
internal sealed class AppClientJson : JsonObjectRenderer<AppClientResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, AppClientResult result)
    {
        Message response = result.Response;
        json.WriteString("content_type", response.Header.ContentType);
        json.WriteString("content_encoding", response.Header.ContentEncoding);
        json.WriteNumber("content_length", response.Header.ContentLength);
        if (response.Header.IsJson)
        {
            using JsonDocument content = JsonContent.Parse(response.Content, response.Header.ContentEncoding);
            json.WritePropertyName("content");
            content.RootElement.WriteTo(json);
        }
        else
        {
            json.WriteString("content_base64", Convert.ToBase64String(response.Content.Span));
        }
    }
}
