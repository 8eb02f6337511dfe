using System.Text.RegularExpressions;

namespace SocketKit.Tests.Architecture;

/// <summary>A layer: the namespaces it owns and the layers it may use.</summary>
public sealed record Layer(string Name, IReadOnlyList<string> Namespaces, IReadOnlyList<string> MayUse);

/// <summary>
/// The layers and what each may use, read from the one table that says it, in docs/ARCHITECTURE.md (the row
/// <c>| layer | namespaces | may use |</c> and those under it), so the check and the documentation cannot disagree.
/// </summary>
public sealed partial class LayerTable
{
    private readonly IReadOnlyList<Layer> _layers;

    public LayerTable(IReadOnlyList<Layer> layers) => _layers = layers;

    public IReadOnlyList<Layer> Layers => _layers;

    public static LayerTable FromArchitectureDoc() => Parse(File.ReadAllLines(Path.Combine(Repository.Root, "docs", "ARCHITECTURE.md")));

    public static LayerTable Parse(IEnumerable<string> markdown)
    {
        var layers = new List<Layer>();
        bool inTable = false;
        foreach (string line in markdown)
        {
            string[] cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (!inTable)
            {
                inTable = cells is ["layer", "namespaces", "may use", ..];
                continue;
            }
            if (!line.TrimStart().StartsWith('|'))
            {
                break;
            }
            if (cells[0].StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }
            layers.Add(new Layer(cells[0],
                [.. Backticked().Matches(cells[1]).Select(m => m.Groups[1].Value)],
                [.. cells[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(n => n != "—")]));
        }
        if (layers.Count == 0)
        {
            throw new InvalidOperationException("docs/ARCHITECTURE.md has no table with the columns | layer | namespaces | may use |");
        }
        return new LayerTable(layers);
    }

    /// <summary>The layer that owns <paramref name="ns"/> (the longest namespace that is it or contains it), or null if none does.</summary>
    public Layer? LayerOf(string ns) => _layers
        .SelectMany(l => l.Namespaces.Select(n => (Layer: l, Namespace: n)))
        .Where(x => ns == x.Namespace || ns.StartsWith(x.Namespace + ".", StringComparison.Ordinal))
        .OrderByDescending(x => x.Namespace.Length)
        .Select(x => x.Layer)
        .FirstOrDefault();

    /// <summary>Whether code of <paramref name="from"/> may use a type of <paramref name="to"/>: its own layer, or one it lists.</summary>
    public static bool Allows(Layer from, Layer to) => from == to || from.MayUse.Contains(to.Name);

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
