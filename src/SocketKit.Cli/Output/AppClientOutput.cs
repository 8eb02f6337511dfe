using SocketKit.Applications.App;
using SocketKit.Protocol;

namespace SocketKit.Cli.Output;

/// <summary>What app-client got: the server's response to one request, and with --timing how long it took.</summary>
internal sealed record AppClientResult(Message Response, AppClientTiming? Timing = null);

/// <summary>
/// When each step was done, counted from the command's start as curl's -w times are: connected (time_connect), TLS
/// handshake done (time_appconnect; null over plain TCP), the response's first byte (time_starttransfer), its last
/// (time_total).
/// </summary>
internal sealed record AppClientTiming(TimeSpan Connect, TimeSpan? Tls, TimeSpan FirstByte, TimeSpan Total);

/// <summary>As the reference prints it: "Got result: ..." for JSON, "Got response: b'...'" otherwise; then the timing, if asked.</summary>
internal sealed class AppClientText : IResultRenderer<AppClientResult>
{
    public string Render(AppClientResult result)
    {
        string text = AppClient.Describe(result.Response) + "\n";
        if (result.Timing is { } t)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $"timing: connect {Ms(t.Connect)}, TLS {(t.Tls is { } tls ? Ms(tls) : "-")}, first byte {Ms(t.FirstByte)}, total {Ms(t.Total)} (from the start)\n");
        }
        return text;
    }

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:F3} ms");
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
        if (result.Timing is { } t)
        {
            json.WriteStartObject("timing_ms");
            json.WriteNumber("connect", Math.Round(t.Connect.TotalMilliseconds, 3));
            if (t.Tls is { } tls)
            {
                json.WriteNumber("tls", Math.Round(tls.TotalMilliseconds, 3));
            }
            else
            {
                json.WriteNull("tls");
            }
            json.WriteNumber("first_byte", Math.Round(t.FirstByte.TotalMilliseconds, 3));
            json.WriteNumber("total", Math.Round(t.Total.TotalMilliseconds, 3));
            json.WriteEndObject();
        }
    }
}
