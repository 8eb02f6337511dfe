using SocketKit.Protocol.Python;

namespace SocketKit.Applications.App;

/// <summary>The reference server's answers: the search table and the binary reply.</summary>
public static class TutorialHandlers
{
    /// <summary>The reference's search table.</summary>
    public static IReadOnlyDictionary<string, string> SearchTable { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["morpheus"] = "Follow the white rabbit. \U0001F430",
        ["ring"] = "In the caves beneath the Misty Mountains. \U0001F48D",
        ["\U0001F436"] = "\U0001F43E Playing ball! \U0001F3D0",
    };

    private static readonly byte[] BinaryPrefix = "First 10 bytes of request: "u8.ToArray();

    /// <summary>A router with the reference's handlers: "search", and the binary reply for any other content type.</summary>
    public static AppRouter CreateRouter() => new AppRouter()
        .MapAction("search", Search)
        .MapOtherContent(FirstTenBytes);

    /// <summary>
    /// Looks the value up in <see cref="SearchTable"/> as the reference does: <c>{"result": ...}</c>, else
    /// <c>f"No match for '{value}'."</c> with the value as Python's str() writes it (<c>True</c>, <c>None</c> when absent, <c>1e+16</c>, ...).
    /// </summary>
    public static AppResponse Search(AppRequest request)
    {
        PythonValue value = request.Parsed?.Get("value") ?? PythonValue.None;
        // Only a string can be a key of the table. (The reference raises for a list or a dict: they cannot be hashed.)
        return AppResponse.Result(value.AsString is { } key && SearchTable.TryGetValue(key, out string? found) && found.Length > 0
            ? found
            : $"No match for '{value}'.");
    }

    /// <summary>The reference's binary reply: "First 10 bytes of request: " and the first 10 bytes of the content.</summary>
    public static AppResponse FirstTenBytes(AppRequest request)
    {
        ReadOnlySpan<byte> first = request.Content.Span[..Math.Min(10, request.Content.Length)];
        return AppResponse.Binary((byte[])[.. BinaryPrefix, .. first]);
    }
}
