using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SocketKit.Tests.Protocol.Differential;

/// <summary>What the reference does with one request: the bytes it answers, or that it raises or never answers.</summary>
public sealed record ReferenceAnswer(byte[]? Response, string? Raises, bool NeverAnswers)
{
    public override string ToString() => Response is not null ? Convert.ToHexString(Response) : Raises is not null ? $"raises {Raises}" : "never answers";
}

/// <summary>Runs oracle.py over a batch of requests in one Python process, every wait bounded.</summary>
public static class ReferenceOracle
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<ReferenceAnswer[]> AnswerAsync(IReadOnlyList<GeneratedRequest> requests)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Protocol", "Differential", "oracle.py"));
        using Process python = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        try
        {
            Task<string> output = python.StandardOutput.ReadToEndAsync();
            Task<string> error = python.StandardError.ReadToEndAsync();
            var input = new StringBuilder();
            foreach (GeneratedRequest r in requests)
            {
                // System.Text.Json escapes all non-ASCII, so each line is ASCII whatever the names hold.
                input.Append(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["type"] = r.ContentType,
                    ["encoding"] = r.ContentEncoding,
                    ["hex"] = Convert.ToHexString(r.Content),
                })).Append('\n');
            }
            await python.StandardInput.WriteAsync(input.ToString()).WaitAsync(Timeout);
            python.StandardInput.Close();
            await python.WaitForExitAsync().WaitAsync(Timeout);
            string[] lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (python.ExitCode != 0 || lines.Length != requests.Count)
            {
                throw new InvalidOperationException($"oracle.py exited {python.ExitCode} after {lines.Length} of {requests.Count} answers: {await error}");
            }
            return [.. lines.Select(line => line[0] switch
            {
                'A' => new ReferenceAnswer(Convert.FromHexString(line[2..]), null, false),
                'R' => new ReferenceAnswer(null, line[2..], false),
                _ => new ReferenceAnswer(null, null, true),
            })];
        }
        finally
        {
            if (!python.HasExited) python.Kill(entireProcessTree: true);
        }
    }
}
