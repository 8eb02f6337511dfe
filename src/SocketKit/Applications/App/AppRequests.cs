using System.Text;

namespace SocketKit.Applications.App;

/// <summary>Builds requests as the reference app-client does.</summary>
public static class AppRequests
{
    /// <summary>A JSON request <c>{"action": action, "value": value}</c>.</summary>
    public static Message Json(string action, string value, bool keepAlive = false)
    {
        byte[] content = JsonContent.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("action", action);
            w.WriteString("value", value);
            w.WriteEndObject();
        });
        return new Message(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = keepAlive }, content);
    }

    /// <summary>A binary request of the reference client's type.</summary>
    public static Message Binary(ReadOnlyMemory<byte> content, bool keepAlive = false) =>
        new(new MessageHeader(ContentTypes.ClientBinary, ContentTypes.BinaryEncoding, content.Length) { KeepAlive = keepAlive }, content);

    /// <summary>
    /// What the reference's command line sends: for "search" the JSON request; for any other action the
    /// binary request with the UTF-8 bytes of action followed by value ("find" "xyz" sends "findxyz").
    /// </summary>
    public static Message FromCommandLine(string action, string value, bool keepAlive = false) =>
        action == "search" ? Json(action, value, keepAlive) : Binary(Encoding.UTF8.GetBytes(action + value), keepAlive);
}
