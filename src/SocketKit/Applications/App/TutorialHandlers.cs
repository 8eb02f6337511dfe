using System.Text.Json;
using SocketKit.Protocol;

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

    /// <summary>Looks the value up in <see cref="SearchTable"/>: <c>{"result": ...}</c> or "No match for 'V'.".</summary>
    public static AppResponse Search(AppRequest request)
    {
        if (request.Value is not { } value)
        {
            return AppResponse.Result("Error: search needs a \"value\".");
        }
        string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : JsonContent.ToPythonJson(value);
        return AppResponse.Result(SearchTable.TryGetValue(text, out string? found) && found.Length > 0 ? found : $"No match for '{text}'.");
    }

    /// <summary>The reference's binary reply: "First 10 bytes of request: " and the first 10 bytes of the content.</summary>
    public static AppResponse FirstTenBytes(AppRequest request)
    {
        ReadOnlySpan<byte> first = request.Content.Span[..Math.Min(10, request.Content.Length)];
        return AppResponse.Binary((byte[])[.. BinaryPrefix, .. first]);
    }
}
