namespace SocketKit.Tests.Support;

/// <summary>Builds raw frames by hand, including broken ones the encoder would never write.</summary>
public static class Frames
{
    public static byte[] Raw(string headerJson, byte[]? content = null) => Raw(Encoding.UTF8.GetBytes(headerJson), content);

    public static byte[] Raw(byte[] header, byte[]? content = null) =>
        [(byte)(header.Length >> 8), (byte)header.Length, .. header, .. content ?? []];

    public static string Header(string contentType = "text/json", string encoding = "utf-8", long length = 0, string extra = "") =>
        $"{{\"byteorder\": \"little\", \"content-type\": \"{contentType}\", \"content-encoding\": \"{encoding}\", \"content-length\": {length}{extra}}}";
}
