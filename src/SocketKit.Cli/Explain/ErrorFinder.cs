using System.Text.RegularExpressions;

namespace SocketKit.Cli.Explain;

/// <summary>
/// Finds the error in what a user pastes: a name or number alone (ECONNREFUSED, 111, WSAECONNREFUSED, 10061,
/// ConnectionRefused, ConnectionRefusedError), or a whole line of a traceback or a log, in which the most precise
/// mention wins: Python's [WinError N] or [Errno N], a SocketException's (N), a name, then a known message.
/// </summary>
internal static partial class ErrorFinder
{
    /// <summary>The entry <paramref name="text"/> names, and the part of it that said so (null when the whole text is the name).</summary>
    public static (KnownError Entry, string? Found)? Find(string text)
    {
        string input = text.Trim();
        if (input.Length == 0)
        {
            return null;
        }
        if (ByWhole(input) is { } whole)
        {
            return (whole, null);
        }
        foreach (Regex pattern in (Regex[])[WinError(), Errno(), SocketException()])
        {
            Match match = pattern.Match(input);
            string? digits = match.Success ? match.Groups.Cast<Group>().Skip(1).First(g => g.Success).Value : null;
            if (digits is not null && ByNumber(int.Parse(digits, CultureInfo.InvariantCulture), windows: pattern == WinError()) is { } numbered)
            {
                return (numbered, match.Value);
            }
        }
        foreach (Match word in Word().Matches(input))
        {
            if (ByName(word.Value, inLine: true) is { } named)
            {
                return (named, word.Value);
            }
        }
        // A message alone ("Connection refused"): the longest one the line holds, so "Connection reset by peer" is not "Connection reset".
        return ErrorCatalog.All
            .SelectMany(e => new[] { e.Message, e.WindowsMessage }.Where(m => m is { Length: > 8 }).Select(m => (Entry: e, Message: m!)))
            .Where(m => input.Contains(m.Message.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(m => m.Message.Length)
            .Select(m => ((KnownError, string?)?)(m.Entry, m.Message.TrimEnd('.')))
            .FirstOrDefault();
    }

    /// <summary>The text is one name or number, in any case.</summary>
    private static KnownError? ByWhole(string input) =>
        int.TryParse(input, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number)
            ? ByNumber(number, windows: number >= 10000)
            : ByName(input, inLine: false);

    /// <summary>An errno (111), a getaddrinfo code (-2), or a Winsock code (10061; every Winsock code is 10000 or above, no errno is).</summary>
    private static KnownError? ByNumber(int number, bool windows) => windows || number >= 10000
        ? ErrorCatalog.All.FirstOrDefault(e => e.WindowsCode == number)
        : ErrorCatalog.All.FirstOrDefault(e => e.Errno == number && (number != 0 || e.Name == "Success"));

    /// <summary>
    /// A name: errno's, Winsock's, Python's exception (with or without its module), .NET's SocketError (alone, or as
    /// SocketError.Name in a line: alone in a line, words such as Shutdown or Fault are just words), an errno alias.
    /// </summary>
    private static KnownError? ByName(string name, bool inLine)
    {
        StringComparison compare = inLine ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        string bare = name.StartsWith("SocketError.", StringComparison.OrdinalIgnoreCase) ? name["SocketError.".Length..] : name;
        bool dotNet = !inLine || bare.Length != name.Length;
        string alias = Aliases.TryGetValue(name.ToUpperInvariant(), out string? canonical) ? canonical : name;
        return ErrorCatalog.All.FirstOrDefault(e => string.Equals(e.Name, alias, compare) && (e.Name.StartsWith('E') || e.Name.StartsWith("WSA", StringComparison.Ordinal) || !inLine))
            ?? ErrorCatalog.All.FirstOrDefault(e => string.Equals(e.WindowsName, name, compare))
            ?? ErrorCatalog.All.FirstOrDefault(e => e.Python.Any(p => p != "OSError" && (string.Equals(p, name, compare) || string.Equals(p[(p.LastIndexOf('.') + 1)..], name, compare))))
            ?? (dotNet ? ErrorCatalog.All.FirstOrDefault(e => e.DotNet.Any(d => string.Equals(d, bare, StringComparison.OrdinalIgnoreCase))) : null);
    }

    /// <summary>Other names Linux gives the same number.</summary>
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["EWOULDBLOCK"] = "EAGAIN",
        ["ENOTSUP"] = "EOPNOTSUPP",
    };

    [GeneratedRegex(@"\[WinError (\d+)\]")]
    private static partial Regex WinError();

    [GeneratedRegex(@"\[Errno (-?\d+)\]|\berrno[ =:]+(-?\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex Errno();

    [GeneratedRegex(@"SocketException \((-?\d+)\)")]
    private static partial Regex SocketException();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.]*[A-Za-z0-9_]")]
    private static partial Regex Word();
}
