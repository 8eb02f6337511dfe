using System.Reflection;
using System.Text.RegularExpressions;
using SocketKit.Applications;
using SocketKit.Transport.Settings;

namespace SocketKit.Tests.Settings;

/// <summary>
/// The table of settings in the docs is the model's (<see cref="ServerSettings.All"/>), row for row: a setting added,
/// renamed or given another default fails this test until the table says so. The failure prints the table to paste.
/// It is in one place, docs/LIMITS.md; every other default a doc states (in a table with a "default" column, as
/// <c>`--flag` (default VALUE)</c>, or as <c>`ServerTimeouts.Name` (VALUE)</c>) is checked against the code too.
/// </summary>
[Tier(TestTier.Unit)]
public sealed partial class SettingsDocsTests
{
    public const string Begin = "<!-- settings table: generated from ServerSettings.All, checked by SettingsDocsTests -->";
    public const string End = "<!-- end of settings table -->";

    /// <summary>The one doc that holds the table.</summary>
    private const string TableDoc = "docs/LIMITS.md";

    /// <summary>The table as the model makes it.</summary>
    public static string Table() => string.Join('\n', [
        "| key under `SocketKit:Servers:NAME` | flag | default | what it does | why this default |",
        "|---|---|---|---|---|",
        .. ServerSettings.All.Select(s => $"| `{s.Key}` | `{s.Flag}` | {s.DefaultText} | {s.Description}. | {Capitalized(s.Reason)}. |"),
    ]);

    [Fact]
    public void TheTableOfSettingsIsTheModels()
    {
        string text = Read(TableDoc);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{TableDoc} should hold the settings table between {Begin} and {End}:\n{Table()}");
        string documented = text[(begin + Begin.Length)..end].Trim('\n');
        Assert.True(documented == Table(), $"{TableDoc}'s settings table is not the model's; it should read:\n{Table()}");
    }

    [Fact]
    public void TheTableOfSettingsIsInOneDocAndTheReadmeLinksToIt()
    {
        string[] holding = [.. Docs().Where(doc => Read(doc).Contains(Begin, StringComparison.Ordinal))];
        Assert.Equal([TableDoc], holding);
        Assert.Contains("(docs/LIMITS.md)", Read("README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDefaultInATableOfTheDocsIsTheCodes()
    {
        var wrong = new List<string>();
        int checkedRows = 0;
        foreach (string doc in Docs())
        {
            foreach ((int line, string[] header, string[] row) in TableRows(Read(doc)))
            {
                int column = Array.FindIndex(header, h => h.Equals("default", StringComparison.OrdinalIgnoreCase));
                if (column < 0)
                {
                    continue;
                }
                string named = row[0];
                string stated = column < row.Length ? row[column] : "";
                checkedRows++;
                if (Known(named) is not { } known)
                {
                    wrong.Add($"{doc}:{line}: a table of defaults names no setting the code knows in its first cell: {named}");
                }
                else if (!Same(known, stated))
                {
                    wrong.Add($"{doc}:{line}: {named} is said to default to {stated}, but the code's default is {known.Text}");
                }
            }
        }
        // The settings table, and the clients' (ConnectTimeout, Timeout), are tables of defaults.
        Assert.True(checkedRows >= ServerSettings.All.Count + 2, $"only {checkedRows} rows of defaults found in the docs");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void EveryDefaultTheDocsStateInTheirTextIsTheCodes()
    {
        var wrong = new List<string>();
        int found = 0;
        foreach (string doc in Docs())
        {
            string text = Read(doc);
            // `--request-timeout` (default 30s): a server flag and its default.
            foreach (Match m in FlagWithDefault().Matches(text))
            {
                if (ServerSettings.All.FirstOrDefault(s => s.Flag == m.Groups["flag"].Value) is not { } setting)
                {
                    continue; // a client's or a tool's flag (bench's --timeout, netstat's --watch): not a server setting
                }
                found++;
                var known = new CodeDefault(setting.DefaultText, setting.Kind);
                if (!Same(known, m.Groups["value"].Value))
                {
                    wrong.Add($"{doc}:{LineOf(text, m.Index)}: {m.Value} but the code's default is {known.Text}");
                }
            }
            // `ServerLimits.MaxSendBufferBytes` (2 MiB): a property of a record of defaults and its value.
            foreach (Match m in PropertyWithValue().Matches(text))
            {
                found++;
                string type = m.Groups["type"].Value, name = m.Groups["name"].Value;
                if (Property(type, name) is not { } known)
                {
                    wrong.Add($"{doc}:{LineOf(text, m.Index)}: {type} has no property {name}");
                }
                else if (!Same(known, m.Groups["value"].Value))
                {
                    wrong.Add($"{doc}:{LineOf(text, m.Index)}: {m.Value} but the code's default is {known.Text}");
                }
            }
        }
        Assert.True(found >= 5, $"only {found} defaults stated in the docs' text were found");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    /// <summary>A default as the code writes it, and the kind of value it is.</summary>
    private sealed record CodeDefault(string Text, SettingKind Kind);

    /// <summary>The setting or client option a cell names (its flag, key or name, in backticks), with its default.</summary>
    private static CodeDefault? Known(string cell)
    {
        foreach (Match token in Regex.Matches(cell, "`([^`]+)`"))
        {
            string word = token.Groups[1].Value.Split(' ')[0];
            if (ServerSettings.All.FirstOrDefault(s => s.Flag == word || s.Key == word || s.Name == word) is { } setting)
            {
                return new CodeDefault(setting.DefaultText, setting.Kind);
            }
            if (Property(nameof(ClientOptions), word) is { } option)
            {
                return option;
            }
        }
        return null;
    }

    /// <summary>The default of <paramref name="type"/>'s property <paramref name="name"/>, as the code writes it; null when there is none.</summary>
    private static CodeDefault? Property(string type, string name)
    {
        object? defaults = type switch
        {
            nameof(ServerLimits) => ServerLimits.Default,
            nameof(ServerTimeouts) => ServerTimeouts.Default,
            nameof(ProtocolLimits) => ProtocolLimits.Default,
            nameof(ClientOptions) => new ClientOptions(),
            _ => null,
        };
        if (defaults?.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is not { } property)
        {
            return null;
        }
        // A server record's property is a setting of the model, written as the model writes it.
        if (type != nameof(ClientOptions))
        {
            return ServerSettings.All.FirstOrDefault(s => s.Name == name) is { } setting ? new CodeDefault(setting.DefaultText, setting.Kind) : null;
        }
        return property.GetValue(defaults) is TimeSpan duration ? new CodeDefault(Durations.Format(duration), SettingKind.Duration) : null;
    }

    /// <summary>Whether the doc's <paramref name="stated"/> value is <paramref name="known"/>: the same text, or the same duration or size written another way (10 s, 16 KiB).</summary>
    private static bool Same(CodeDefault known, string stated)
    {
        string text = Regex.Replace(stated, @"\s+", "");
        if (text.Equals(Regex.Replace(known.Text, @"\s+", ""), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return known.Kind switch
        {
            SettingKind.Duration => Durations.TryParse(text, out TimeSpan doc) && Durations.TryParse(known.Text, out TimeSpan code) && doc == code,
            SettingKind.Size => ByteSizes.TryParse(text, out long doc) && ByteSizes.TryParse(known.Text, out long code) && doc == code,
            _ => false,
        };
    }

    /// <summary>Every row of every Markdown table in <paramref name="text"/>, with its line and its table's header, cells trimmed.</summary>
    private static IEnumerable<(int Line, string[] Header, string[] Row)> TableRows(string text)
    {
        string[] lines = text.Split('\n');
        string[]? header = null;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith('|'))
            {
                header = null;
            }
            else if (header is null)
            {
                header = Cells(lines[i]);
            }
            else if (!lines[i].StartsWith("|---", StringComparison.Ordinal))
            {
                yield return (i + 1, header, Cells(lines[i]));
            }
        }
    }

    private static string[] Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    /// <summary>README.md and every doc in docs/, as paths from the repository's root.</summary>
    private static IEnumerable<string> Docs() =>
        [
            "README.md",
            .. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal),
        ];

    private static string Read(string doc) => File.ReadAllText(Path.Combine(Repository.Root, doc)).ReplaceLineEndings("\n");

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    [GeneratedRegex(@"`(?<flag>--[a-z-]+)` \(default (?<value>[^)]+)\)")]
    private static partial Regex FlagWithDefault();

    [GeneratedRegex(@"`(?<type>ServerLimits|ServerTimeouts|ProtocolLimits|ClientOptions)\.(?<name>[A-Za-z]+)` \((?<value>\d[^)]*)\)")]
    private static partial Regex PropertyWithValue();
}
