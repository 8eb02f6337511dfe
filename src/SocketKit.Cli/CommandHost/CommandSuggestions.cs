namespace SocketKit.Cli.CommandHost;

/// <summary>The command a mistyped one most likely meant, as git's "did you mean".</summary>
internal static class CommandSuggestions
{
    /// <summary>The names of <paramref name="names"/> nearest to <paramref name="typed"/>, none when none is near enough to be a typo.</summary>
    public static IReadOnlyList<string> Nearest(string typed, IEnumerable<string> names)
    {
        string lower = typed.ToLowerInvariant();
        string[] all = [.. names];
        // A prefix ("multiconn") is a likelier meaning than a near spelling; it may name a pair.
        string[] prefixed = [.. all.Where(n => n.StartsWith(lower, StringComparison.Ordinal))];
        if (prefixed.Length is >= 1 and <= 3 && lower.Length >= 3)
        {
            return prefixed;
        }
        int allowed = Math.Max(2, lower.Length / 3);
        (string Name, int Distance)[] near = [.. all.Select(n => (n, Distance(lower, n))).Where(p => p.Item2 <= allowed).OrderBy(p => p.Item2)];
        return near.Length == 0 ? [] : [.. near.Where(p => p.Distance == near[0].Distance).Select(p => p.Name)];
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) from one word to the other.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
