using SocketKit.Cli.Explain;

namespace SocketKit.Cli.Output;

/// <summary>
/// The entries explain found: the one asked for, or (<paramref name="All"/>) every one; <paramref name="Found"/> is the
/// part of a pasted line that named the error (null when the whole argument was the name).
/// </summary>
internal sealed record ExplainResult(IReadOnlyList<KnownError> Entries, bool All, string? Found = null);

/// <summary>
/// Per entry: "ECONNREFUSED (errno 111): ..." then its other spellings (Windows, .NET, Python) and what to check;
/// with every entry, a blank line after each.
/// </summary>
internal sealed class ExplainText : IResultRenderer<ExplainResult>
{
    public string Render(ExplainResult result)
    {
        var text = new StringBuilder();
        if (result.Found is { } found)
        {
            text.Append($"Found \"{found}\" in the line.\n");
        }
        foreach (KnownError entry in result.Entries)
        {
            (string summary, string check) = ErrorCatalog.Advice(entry);
            string number = entry.Errno is not int errno ? "" : entry.IsResolverError ? $" (getaddrinfo {errno})" : $" (errno {errno})";
            text.Append($"{entry.Name}{number}: {summary}\n");
            if (Linux(entry) is { } linux)
            {
                text.Append($"  Linux:   {linux}\n");
            }
            if (entry.WindowsCode is int code)
            {
                text.Append($"  Windows: {entry.WindowsName} ({code}): {entry.WindowsMessage}\n");
            }
            if (entry.DotNet.Count > 0)
            {
                text.Append($"  .NET:    {string.Join(", ", entry.DotNet.Select(n => "SocketError." + n))}\n");
            }
            if (Python(entry) is { } python)
            {
                text.Append($"  Python:  {python}\n");
            }
            text.Append($"  What to check: {check}\n");
            if (result.All)
            {
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>The message as Linux prints it (strerror), when the entry has a Linux number.</summary>
    internal static string? Linux(KnownError entry) => entry.Errno is int errno && entry.Name != "Success" ? $"\"{entry.Message}\"" : null;

    /// <summary>Python's exceptions and how it prints the error: "ConnectionRefusedError: [Errno 111] Connection refused".</summary>
    internal static string? Python(KnownError entry)
    {
        var forms = new List<string>();
        string exception = entry.Python.FirstOrDefault() ?? "OSError";
        if (entry.Errno is int errno && entry.Name != "Success")
        {
            forms.Add($"{exception}: [Errno {errno}] {entry.Message}");
        }
        if (entry.WindowsCode is int code)
        {
            // Python drops the trailing dot of Windows' message.
            forms.Add($"{exception}: [WinError {code}] {entry.WindowsMessage?.TrimEnd('.')}");
        }
        if (entry.Name == "ETIMEDOUT")
        {
            forms.Add("TimeoutError: timed out");
        }
        string[] others = [.. entry.Python.Skip(forms.Count > 0 ? 1 : 0).Where(p => p != "OSError")];
        if (forms.Count == 0 && others.Length == 0)
        {
            return null;
        }
        return string.Join(", ", forms.Select(f => $"\"{f}\"").Concat(others));
    }
}

/// <summary><c>entries</c>: an object per entry; numbers null where the error has none.</summary>
internal sealed class ExplainJson : JsonObjectRenderer<ExplainResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, ExplainResult result)
    {
        if (result.Found is { } found)
        {
            json.WriteString("found", found);
        }
        json.WriteStartArray("entries");
        foreach (KnownError entry in result.Entries)
        {
            (string summary, string check) = ErrorCatalog.Advice(entry);
            json.WriteStartObject();
            json.WriteString("errno_name", entry.Name);
            WriteNumber(json, "errno", entry.Errno);
            json.WriteString("message", entry.Message);
            json.WriteString("windows_name", entry.WindowsName);
            WriteNumber(json, "windows_code", entry.WindowsCode);
            json.WriteString("windows_message", entry.WindowsMessage);
            json.WriteStartArray("dotnet_names");
            foreach (string name in entry.DotNet)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteStartArray("python_exceptions");
            foreach (string name in entry.Python)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteString("kind", JsonOutput.SnakeCase(entry.Kind.ToString()));
            json.WriteString("summary", summary);
            json.WriteString("what_to_check", check);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
