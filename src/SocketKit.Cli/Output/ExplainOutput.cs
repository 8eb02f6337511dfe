using System.Text;
using System.Text.Json;
using SocketKit.Transport;

namespace SocketKit.Cli.Output;

/// <summary>The guide's entries explain found: the one asked for, or (<paramref name="All"/>) every one.</summary>
internal sealed record ExplainResult(IReadOnlyList<SocketErrorAdvice> Entries, bool All);

/// <summary>Per entry: "ECONNREFUSED (errno 111): ..." then what to check; with every entry, a blank line after each.</summary>
internal sealed class ExplainText : IResultRenderer<ExplainResult>
{
    public string Render(ExplainResult result)
    {
        var text = new StringBuilder();
        foreach (SocketErrorAdvice advice in result.Entries)
        {
            string number = advice.Errno == 0 ? "" : $" (errno {advice.Errno})";
            text.Append($"{advice.ErrnoName}{number}: {advice.Summary}\n");
            text.Append($"  What to check: {advice.WhatToCheck}\n");
            if (result.All)
            {
                text.Append('\n');
            }
        }
        return text.ToString();
    }
}

/// <summary><c>entries</c>: an object per entry, the errno null where the error has none.</summary>
internal sealed class ExplainJson : JsonObjectRenderer<ExplainResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, ExplainResult result)
    {
        json.WriteStartArray("entries");
        foreach (SocketErrorAdvice advice in result.Entries)
        {
            json.WriteStartObject();
            json.WriteString("errno_name", advice.ErrnoName);
            if (advice.Errno == 0)
            {
                json.WriteNull("errno");
            }
            else
            {
                json.WriteNumber("errno", advice.Errno);
            }
            json.WriteString("kind", JsonOutput.SnakeCase(advice.Kind.ToString()));
            json.WriteString("summary", advice.Summary);
            json.WriteString("what_to_check", advice.WhatToCheck);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
