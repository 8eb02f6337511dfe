using System.Text.RegularExpressions;

namespace SocketKit.Tests.Docs;

/// <summary>
/// The README is the front door: it links every doc, and no link in it or in the docs leads nowhere, to a file that
/// is not there or to a heading (#anchor, as GitHub makes them) that a doc no longer has, so text can move between
/// docs without leaving a reader at a dead end.
/// </summary>
[Tier(TestTier.Unit)]
public sealed partial class DocsLinksTests
{
    [Fact]
    public void TheReadmeLinksEveryDoc()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        string[] unlinked = [.. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md")
            .Select(f => "docs/" + Path.GetFileName(f))
            .Where(doc => !readme.Contains($"]({doc})", StringComparison.Ordinal) && !readme.Contains($"]({doc}#", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
        Assert.True(unlinked.Length == 0, $"README.md does not link {string.Join(", ", unlinked)}");
    }

    [Fact]
    public void EveryLinkOfTheReadmeAndTheDocsLeadsToAFileAndAHeadingThatExist()
    {
        string[] docs = [Path.Combine(Repository.Root, "README.md"), .. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md")];
        var dead = new List<string>();
        int links = 0;
        foreach (string doc in docs)
        {
            string name = Path.GetRelativePath(Repository.Root, doc);
            foreach ((int line, string target) in Links(File.ReadAllText(doc)))
            {
                links++;
                string[] parts = target.Split('#', 2);
                string file = parts[0].Length == 0 ? doc : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(doc)!, Uri.UnescapeDataString(parts[0])));
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    dead.Add($"{name}:{line}: {target}: no such file");
                }
                else if (parts.Length == 2 && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(file)).Contains(parts[1]))
                {
                    dead.Add($"{name}:{line}: {target}: {Path.GetFileName(file)} has no heading #{parts[1]}");
                }
            }
        }
        Assert.True(links > 50, $"only {links} links found");
        Assert.True(dead.Count == 0, string.Join('\n', dead));
    }

    [Theory]
    [InlineData("## The tutorial, section by section", "the-tutorial-section-by-section")]
    [InlineData("### netstat (ss): the state of this machine's sockets", "netstat-ss-the-state-of-this-machines-sockets")]
    [InlineData("## Load and speed: `socketkit bench`", "load-and-speed-socketkit-bench")]
    [InlineData("## Handlers that compute, await, block, or push", "handlers-that-compute-await-block-or-push")]
    public void AHeadingsAnchorIsGitHubs(string heading, string anchor) => Assert.Contains(anchor, Anchors(heading + "\n"));

    /// <summary>Every relative link target in <paramref name="markdown"/> outside code, with its line.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        bool fenced = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (fenced || lines[i].StartsWith("    ", StringComparison.Ordinal))
            {
                continue; // code: a fenced block, or an indented one (program output)
            }
            string prose = InlineCode().Replace(lines[i], "");
            foreach (Match m in Link().Matches(prose))
            {
                string target = m.Groups["target"].Value;
                if (!target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    yield return (i + 1, target);
                }
            }
        }
    }

    /// <summary>The anchors GitHub gives the headings of <paramref name="markdown"/>: lower case, punctuation dropped, spaces as hyphens, a repeat numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        bool fenced = false;
        foreach (string line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
            }
            else if (!fenced && Heading().Match(line) is { Success: true } heading)
            {
                string slug = Punctuation().Replace(heading.Groups["text"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
                string anchor = slug;
                for (int n = 1; !anchors.Add(anchor); n++)
                {
                    anchor = $"{slug}-{n}";
                }
            }
        }
        return anchors;
    }

    [GeneratedRegex(@"\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^#{1,6} (?<text>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex Punctuation();
}
