namespace SocketKit.Protocol;

/// <summary>The content types and encodings the reference conversation uses.</summary>
public static class ContentTypes
{
    /// <summary>JSON content in the text encoding named by content-encoding.</summary>
    public const string TextJson = "text/json";

    /// <summary>The binary request type of the reference client.</summary>
    public const string ClientBinary = "binary/custom-client-binary-type";

    /// <summary>The binary response type of the reference server.</summary>
    public const string ServerBinary = "binary/custom-server-binary-type";

    /// <summary>The content-encoding the reference writes for binary content.</summary>
    public const string BinaryEncoding = "binary";

    /// <summary>The content-encoding the reference writes for JSON content.</summary>
    public const string Utf8Encoding = "utf-8";
}
