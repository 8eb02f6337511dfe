using System.CommandLine.Parsing;

namespace SocketKit.Cli.CommandHost;

/// <summary>
/// Says what is wrong with a command line in words: the parser's own messages name .NET types ("as expected type
/// 'System.Int32'"), repeat themselves, or do not say which argument is missing. Whatever option or argument a
/// command gains later is covered too: the words come from the symbol's value type, not from a list of options.
/// </summary>
internal static class UsageErrors
{
    /// <summary>Every error of <paramref name="parsed"/>, once each, as a line to print after "socketkit: ".</summary>
    public static IReadOnlyList<string> Describe(ParseResult parsed)
    {
        var lines = new List<string>();
        foreach (ParseError error in parsed.Errors)
        {
            string line = Describe(error, parsed);
            if (!lines.Contains(line))
            {
                lines.Add(line);
            }
        }
        // HOST:PORT in one argument shifts every argument after it: what the parser says of those follows from it.
        string[] joined = [.. lines.Where(l => l.Contains(ValueParsers.HostAndPortInOne, StringComparison.Ordinal))];
        return joined.Length > 0 ? joined : lines;
    }

    /// <summary>True when the line names the only real problem: a mistyped command, which <see cref="Describe(ParseResult)"/> reports alone.</summary>
    public static string? UnknownCommand(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        if (command.Subcommands.Count == 0 || parsed.UnmatchedTokens.Count == 0)
        {
            return null;
        }
        string typed = parsed.UnmatchedTokens[0];
        if (typed.StartsWith('-') || command.Arguments.Count > 0)
        {
            return null;
        }
        IReadOnlyList<string> nearest = CommandSuggestions.Nearest(typed, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        string where = command.Parents.Any() ? $"'{command.Name}' has no subcommand" : "unknown command";
        return nearest.Count == 0
            ? $"{where} {ValueParsers.Shown(typed)}: the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}."
            : $"{where} {ValueParsers.Shown(typed)}: did you mean {Either(nearest.Select(n => $"'{n}'").ToArray(), "or")}?";
    }

    private static string Describe(ParseError error, ParseResult parsed)
    {
        string message = error.Message;
        switch (error.SymbolResult)
        {
            // The parser's own conversion (a type without a parser of ours): words from the value type.
            case OptionResult option when message.Contains("expected type", StringComparison.Ordinal):
                return NotA(option.Option.Name, option.Option.ValueType, option.Tokens);
            case ArgumentResult argument when message.Contains("expected type", StringComparison.Ordinal):
                return NotA(argument.Argument.Name, argument.Argument.ValueType, argument.Tokens);
            case CommandResult command when message.StartsWith("Required command was not provided", StringComparison.Ordinal):
                return $"{Name(command)} needs a command: {string.Join(", ", command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.";
        }
        if (message.StartsWith("Required argument missing", StringComparison.Ordinal) && error.SymbolResult is OptionResult valueless)
        {
            return $"{valueless.Option.Name} needs a value{(valueless.Option.HelpName is { } what ? $" ({what})" : "")}.";
        }
        if (message.StartsWith("Required argument missing", StringComparison.Ordinal))
        {
            return Missing(error.SymbolResult as CommandResult ?? parsed.CommandResult);
        }
        if (message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal))
        {
            return UnknownCommand(parsed) ?? message.Replace("Unrecognized command or argument", "unexpected argument", StringComparison.Ordinal).TrimEnd('.') + ".";
        }
        // Last resort: a message with a .NET type name in it is not for people.
        return message.Contains("System.", StringComparison.Ordinal) || message.Contains("SocketKit.", StringComparison.Ordinal)
            ? $"a value on the command line is not valid for {Name(parsed.CommandResult)}."
            : message;
    }

    private static string NotA(string name, Type type, IReadOnlyList<Token> tokens)
    {
        string shown = ValueParsers.Shown(tokens.Count > 0 ? tokens[0].Value : "");
        Type valueType = Nullable.GetUnderlyingType(type) ?? type;
        if (valueType.IsEnum)
        {
            return $"{shown} is not a value for {name}: use {ValueParsers.Names(valueType)}.";
        }
        if (valueType == typeof(int) || valueType == typeof(long) || valueType == typeof(short) || valueType == typeof(uint) || valueType == typeof(ulong))
        {
            return $"{shown} is not a whole number for {name}.";
        }
        if (valueType == typeof(double) || valueType == typeof(float) || valueType == typeof(decimal))
        {
            return $"{shown} is not a number for {name}.";
        }
        return $"{shown} is not a valid value for {name}.";
    }

    private static string Missing(CommandResult command)
    {
        string[] missing = [.. command.Command.Arguments
            .Where(a => a.Arity.MinimumNumberOfValues > 0 && !a.HasDefaultValue && command.GetResult(a) is not { Tokens.Count: > 0 })
            .Select(a => a.Name)];
        string usage = string.Join(' ', command.Command.Arguments.Select(a => a.Arity.MinimumNumberOfValues > 0 && !a.HasDefaultValue ? a.Name : $"[{a.Name}]"));
        return missing.Length == 0
            ? $"{Name(command)}: an argument is missing (usage: {Name(command)} {usage})."
            : $"missing {Either(missing, "and")} (usage: {Name(command)} {usage}).";
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    internal static string Either(string[] words, string conjunction) =>
        words.Length == 1 ? words[0] : $"{string.Join(", ", words[..^1])} {conjunction} {words[^1]}";

    /// <summary>The words that name a command from the root, e.g. "socketkit bench echo".</summary>
    public static string Name(CommandResult command)
    {
        var names = new Stack<string>();
        for (SymbolResult? at = command; at is not null; at = at.Parent)
        {
            if (at is CommandResult c)
            {
                names.Push(c.Parent is null ? "socketkit" : c.Command.Name); // The root's own name is the host process's.
            }
        }
        return string.Join(' ', names);
    }
}
