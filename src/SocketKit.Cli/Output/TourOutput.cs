using SocketKit.Cli.Tour;

namespace SocketKit.Cli.Output;

/// <summary>The tour's steps, as <c>tour --list</c> shows them.</summary>
internal sealed record TourListResult(IReadOnlyList<TourStep> Steps);

/// <summary>Per step: its number and title, then the tutorial section it reads.</summary>
internal sealed class TourListText : IResultRenderer<TourListResult>
{
    public string Render(TourListResult result)
    {
        var text = new StringBuilder();
        for (int i = 0; i < result.Steps.Count; i++)
        {
            text.Append($"{i + 1,2}. {result.Steps[i].Title}\n");
            text.Append($"    Read: \"{result.Steps[i].Section}\" {result.Steps[i].Url}\n");
        }
        return text.ToString();
    }
}

/// <summary><c>steps</c>: an object per step.</summary>
internal sealed class TourListJson : JsonObjectRenderer<TourListResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, TourListResult result)
    {
        json.WriteStartArray("steps");
        for (int i = 0; i < result.Steps.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("step", i + 1);
            json.WriteString("title", result.Steps[i].Title);
            json.WriteString("section", result.Steps[i].Section);
            json.WriteString("url", result.Steps[i].Url);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
