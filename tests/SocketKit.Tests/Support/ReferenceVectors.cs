using System.Text.Json;

namespace SocketKit.Tests.Support;

/// <summary>One vector of TestData/reference-vectors.json: what the reference client sent and its server answered.</summary>
public sealed record ReferenceVector(string Name, string ContentType, string ContentEncoding, JsonElement? JsonContent, byte[]? BinaryContent, byte[] Request, byte[] Response)
{
    public override string ToString() => Name;
}

/// <summary>Loads the vectors copied from the protocol contract into the repository's test data.</summary>
public static class ReferenceVectors
{
    private static readonly Lazy<IReadOnlyList<ReferenceVector>> s_all = new(Load);

    public static IReadOnlyList<ReferenceVector> All => s_all.Value;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (ReferenceVector v in All) data.Add(v.Name);
        return data;
    }

    public static ReferenceVector Get(string name) => All.Single(v => v.Name == name);

    private static List<ReferenceVector> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "reference-vectors.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var list = new List<ReferenceVector>();
        foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            JsonElement request = v.GetProperty("request");
            JsonElement content = request.GetProperty("content");
            JsonElement contentHex = request.GetProperty("content_hex");
            list.Add(new ReferenceVector(
                v.GetProperty("name").GetString()!,
                request.GetProperty("content-type").GetString()!,
                request.GetProperty("content-encoding").GetString()!,
                content.ValueKind == JsonValueKind.Null ? null : content.Clone(),
                contentHex.ValueKind == JsonValueKind.Null ? null : Convert.FromHexString(contentHex.GetString()!),
                Convert.FromHexString(v.GetProperty("request_hex").GetString()!),
                Convert.FromHexString(v.GetProperty("response_hex").GetString()!)));
        }
        return list;
    }
}
