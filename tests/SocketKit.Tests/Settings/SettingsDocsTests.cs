using SocketKit.Cli.OptionGroups;
using SocketKit.Transport.Settings;
namespace SocketKit.Tests.Settings;

/// <summary>
/// The tables of settings in the docs are the model's (<see cref="ServerSettings.All"/>), row for row: a setting added,
/// renamed or given another default fails this test until the tables say so. The failure prints the table to paste.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class SettingsDocsTests
{
    public const string Begin = "<!-- settings table: generated from ServerSettings.All, checked by SettingsDocsTests -->";
    public const string End = "<!-- end of settings table -->";

    /// <summary>The table as the model makes it.</summary>
    public static string Table() => string.Join('\n', [
        "| key under `SocketKit:Servers:NAME` | flag | default | what it does | why this default |",
        "|---|---|---|---|---|",
        .. ServerSettings.All.Select(s => $"| `{s.Key}` | `{ServerFlags.FlagOf(s)}` | {s.DefaultText} | {s.Description}. | {Capitalized(s.Reason)}. |"),
    ]);

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/LIMITS.md")]
    public void TheTableOfSettingsIsTheModels(string file)
    {
        string text = File.ReadAllText(Path.Combine(Repository.Root, file)).ReplaceLineEndings("\n");
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{file} should hold the settings table between {Begin} and {End}:\n{Table()}");
        string documented = text[(begin + Begin.Length)..end].Trim('\n');
        Assert.True(documented == Table(), $"{file}'s settings table is not the model's; it should read:\n{Table()}");
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
