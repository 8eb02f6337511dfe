using System.CommandLine;
using SocketKit.Cli.CommandHost;
using SocketKit.Cli.Parsing;

namespace SocketKit.Tests.Cli;

/// <summary>
/// Every value of every option and argument in the whole command tree, fed values no one should get past: each
/// is a usage error in words (exit 2, "socketkit: ..." and the --help hint), never a stack trace or a .NET type
/// name, and never runs the command. Options a command gains later are walked too.
/// </summary>
[Tier(TestTier.Socket)]
public partial class CommandTreeTests
{
    private static readonly string[] BadValues =
    [
        "abc", "-1", "99999999999999999999", "", new string('9', 5000), "ünïcødé→🐶", "/nonexistent/dir/file",
    ];

    private static Command Root() => CommandTree.Root();

    private static IEnumerable<(string[] Path, Command Command)> Runnable(Command command, string[] path) => CommandTree.Runnable(command, path);

    /// <summary>A value each required argument takes, so that the one under test is the only thing wrong.</summary>
    private static string GoodValue(Argument argument) => argument.Name switch
    {
        "HOST" => "127.0.0.1",
        _ when argument.Name.EndsWith("PORT", StringComparison.Ordinal) => "65432",
        _ when (Nullable.GetUnderlyingType(argument.ValueType) ?? argument.ValueType) == typeof(int) => "2",
        _ => "x",
    };

    private static bool Required(Argument argument) => argument.Arity.MinimumNumberOfValues > 0 && !argument.HasDefaultValue;

    /// <summary>Free text (a message, a search value): any string is a value, so only the typed values are fed.</summary>
    private static bool IsFreeText(Type type, bool hasParser) => type == typeof(string) && !hasParser;

    private static List<(string[] Args, string Symbol, string Value)> Cases()
    {
        var cases = new List<(string[], string, string)>();
        Command root = Root();
        Option[] global = [.. root.Options.Where(o => o.Recursive)];
        foreach ((string[] path, Command command) in Runnable(root, []))
        {
            string[] required = [.. command.Arguments.Where(Required).Select(GoodValue)];
            foreach (Option option in command.Options.Concat(global).Where(o => o.ValueType != typeof(bool) && o.Arity.MaximumNumberOfValues > 0))
            {
                if (IsFreeText(option.ValueType, HasParser(option)))
                {
                    continue;
                }
                foreach (string bad in BadValues)
                {
                    cases.Add(([.. path, .. required, option.Name, bad], option.Name, bad));
                }
            }
            for (int i = 0; i < command.Arguments.Count; i++)
            {
                Argument argument = command.Arguments[i];
                if (IsFreeText(argument.ValueType, HasParser(argument)))
                {
                    continue;
                }
                // The arguments before it, good; the one under test, bad; the required ones after it, good.
                string[] before = [.. command.Arguments.Take(i).Select(GoodValue)];
                string[] after = [.. command.Arguments.Skip(i + 1).Where(Required).Select(GoodValue)];
                foreach (string bad in BadValues)
                {
                    cases.Add(([.. path, .. before, bad, .. after], argument.Name, bad));
                }
            }
        }
        return cases;
    }

    /// <summary>Each option's value name (FILE, N, ...) by option name; arguments have none.</summary>
    private static Dictionary<string, string?> HelpNames(Command root)
    {
        var names = new Dictionary<string, string?>();
        foreach ((_, Command command) in Runnable(root, []))
        {
            foreach (Option option in command.Options.Concat(root.Options))
            {
                names[option.Name] = option.HelpName;
            }
            foreach (Argument argument in command.Arguments)
            {
                names[argument.Name] = null;
            }
        }
        return names;
    }

    private static bool HasParser(Option option) => option.GetType().GetProperty("CustomParser")?.GetValue(option) is not null;

    private static bool HasParser(Argument argument) => argument.GetType().GetProperty("CustomParser")?.GetValue(argument) is not null;

    [Fact]
    public async Task EveryBadValueIsAUsageErrorInWordsBeforeAnythingStarts()
    {
        var failures = new List<string>();
        int count = 0;
        Dictionary<string, string?> helpNames = HelpNames(Root());
        foreach ((string[] args, string symbol, string value) in Cases())
        {
            count++;
            string shown = string.Join(' ', args.Select(a => a.Length > 30 ? a[..30] + "..." : $"'{a}'"));
            // Parsed first, so that a value wrongly accepted is reported, not run.
            Command root = Root();
            ValidatorGuard.Apply(root);
            ParseResult parsed;
            try
            {
                parsed = UnixHostArguments.Parse(root, args);
            }
            catch (Exception ex)
            {
                failures.Add($"{shown}: the parser threw {ex.GetType().Name}");
                continue;
            }
            if (parsed.Errors.Count == 0)
            {
                // A host name that merely does not exist ("abc") is well-formed: only the resolver can tell (so is a
                // name to ask a TLS server for, --tls-server-name NAME). A file to write ("abc") is a good one when its name is.
                if (!((symbol.EndsWith("HOST", StringComparison.OrdinalIgnoreCase) || helpNames[symbol] == "NAME") && IsHostName(value)) && !(helpNames[symbol] == "FILE" && IsFileName(value)))
                {
                    failures.Add($"{shown}: accepted");
                }
                continue;
            }
            Support.Cli.Result result = await Support.Cli.RunAsync(args);
            string problem = Problem(result, ExitCodes.Usage);
            if (problem.Length > 0)
            {
                failures.Add($"{shown}: {problem}");
            }
        }
        Assert.True(count > 300, $"only {count} cases: the walk lost the tree");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} cases:\n{string.Join('\n', failures.Take(40))}");
    }

    [Fact]
    public async Task EveryOptionLeftWithoutItsValueSaysSo()
    {
        Command root = Root();
        Option[] global = [.. root.Options.Where(o => o.Recursive)];
        int count = 0;
        foreach ((string[] path, Command command) in Runnable(root, []))
        {
            string[] required = [.. command.Arguments.Where(Required).Select(GoodValue)];
            foreach (Option option in command.Options.Concat(global).Where(o => o.ValueType != typeof(bool) && o.Arity.MinimumNumberOfValues > 0))
            {
                count++;
                Support.Cli.Result result = await Support.Cli.RunAsync([.. path, .. required, option.Name]);
                Assert.True(Problem(result, ExitCodes.Usage) == "", $"{string.Join(' ', path)} {option.Name}: {Problem(result, ExitCodes.Usage)}");
                Assert.StartsWith($"socketkit: {option.Name} needs a value", result.Error);
            }
        }
        Assert.True(count > 50, $"only {count} options: the walk lost the tree");
    }

    [Fact]
    public async Task EveryRequiredArgumentLeftOutIsNamed()
    {
        foreach ((string[] path, Command command) in Runnable(Root(), []))
        {
            Argument[] required = [.. command.Arguments.Where(Required)];
            if (required.Length == 0)
            {
                continue;
            }
            Support.Cli.Result result = await Support.Cli.RunAsync(path);
            Assert.True(Problem(result, ExitCodes.Usage) == "", $"{string.Join(' ', path)}: {Problem(result, ExitCodes.Usage)}");
            Assert.Contains($"missing {required[0].Name}", result.Error);
            Assert.Single(result.Error.Split('\n'), l => l.StartsWith("socketkit: ", StringComparison.Ordinal));
        }
    }

    private static bool IsFileName(string value) =>
        value.Length > 0 && Path.GetFileName(value) == value && Encoding.UTF8.GetByteCount(value) <= 255;

    private static bool IsHostName(string value) =>
        Uri.CheckHostName(value) == UriHostNameType.Dns && value.All(char.IsAscii) && value.Any(char.IsAsciiLetter);

    /// <summary>What is wrong with a result that should be a clean failure with <paramref name="exitCode"/>; empty when nothing is.</summary>
    internal static string Problem(Support.Cli.Result result, int exitCode)
    {
        string all = result.Out + result.Error;
        if (result.ExitCode != exitCode) return $"exit {result.ExitCode}, not {exitCode}: {result.Error}";
        if (all.Split('\n').Any(l => l.StartsWith("   at ", StringComparison.Ordinal))) return $"a stack trace: {result.Error}";
        if (TypeName().IsMatch(all)) return $"a .NET type name: {result.Error}";
        if (!result.Error.StartsWith("socketkit: ", StringComparison.Ordinal)) return $"no 'socketkit: ' message: {result.Error}";
        if (exitCode == ExitCodes.Usage && !result.Error.Contains("Try 'socketkit", StringComparison.Ordinal)) return $"no --help hint: {result.Error}";
        return "";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bSystem\.[A-Z]|\bSocketKit\.[A-Z]\w*\.[A-Z]|`1|Exception\b")]
    private static partial System.Text.RegularExpressions.Regex TypeName();
}
