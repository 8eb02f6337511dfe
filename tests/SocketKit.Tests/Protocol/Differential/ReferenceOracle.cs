using System.Runtime.InteropServices;
using System.Text.Json;

namespace SocketKit.Tests.Protocol.Differential;

/// <summary>What the reference does with one request: the bytes it answers, or that it raises or never answers.</summary>
public sealed record ReferenceAnswer(byte[]? Response, string? Raises, bool NeverAnswers)
{
    public override string ToString() => Response is not null ? Convert.ToHexString(Response) : Raises is not null ? $"raises {Raises}" : "never answers";
}

/// <summary>Runs oracle.py over a batch of messages in one Python process.</summary>
public static class ReferenceOracle
{
    /// <summary>The reference server's answer to each request.</summary>
    public static async Task<ReferenceAnswer[]> AnswerAsync(IReadOnlyList<GeneratedRequest> requests)
    {
        string[] lines = await RunAsync(requests, []);
        return [.. lines.Select(line => line[0] switch
        {
            'A' => new ReferenceAnswer(Convert.FromHexString(line[2..]), null, false),
            'R' => new ReferenceAnswer(null, line[2..], false),
            _ => new ReferenceAnswer(null, null, true),
        })];
    }

    /// <summary>The line the reference client prints for each response, or null where it raises.</summary>
    public static async Task<string?[]> ClientLinesAsync(IReadOnlyList<GeneratedRequest> responses)
    {
        string[] lines = await RunAsync(responses, ["client"]);
        return [.. lines.Select(line => line[0] == 'P' ? new string(MemoryMarshal.Cast<byte, char>(Convert.FromHexString(line[2..]))) : null)];
    }

    private static async Task<string[]> RunAsync(IReadOnlyList<GeneratedRequest> messages, string[] args)
    {
        var input = new StringBuilder();
        foreach (GeneratedRequest r in messages)
        {
            // System.Text.Json escapes all non-ASCII, so each line is ASCII whatever the names hold.
            input.Append(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["type"] = r.ContentType,
                ["encoding"] = r.ContentEncoding,
                ["hex"] = Convert.ToHexString(r.Content),
            })).Append('\n');
        }
        string[] lines = (await PythonScript.RunAsync(PythonScript.BesideTests("oracle.py"), args, input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == messages.Count ? lines : throw new InvalidOperationException($"oracle.py gave {lines.Length} answers to {messages.Count} messages");
    }
}
