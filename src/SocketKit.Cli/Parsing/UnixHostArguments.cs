using System.CommandLine.Parsing;

namespace SocketKit.Cli.Parsing;

/// <summary>
/// Lets <c>unix:PATH</c> stand wherever HOST PORT is accepted. A Unix socket has no port, so the HOST argument
/// alone fills both positions: <c>app-client unix:/tmp/app.sock search ring</c> reads as HOST PORT ACTION VALUE.
/// </summary>
/// <remarks>
/// The parser itself says where HOST is: its result holds the token it took, in the parse's own token list. Only
/// when that token names a Unix socket is the line parsed again, from the parser's tokens, with a placeholder PORT
/// right after it. So a message or value that merely starts with "unix:" is left as typed, and nothing here knows
/// the grammar (options, their values, bundling, <c>--</c>) beyond what the parser reports.
/// </remarks>
internal static class UnixHostArguments
{
    /// <summary>The port that stands in for the one a Unix socket does not have.</summary>
    public const string PortPlaceholder = "0";

    /// <summary>Parses <paramref name="args"/>, a Unix socket's HOST taking PORT's place too.</summary>
    public static ParseResult Parse(Command root, IReadOnlyList<string> args)
    {
        ParseResult parsed = root.Parse(args);
        CommandResult command = parsed.CommandResult;
        IList<Argument> arguments = command.Command.Arguments;
        int host = Enumerable.Range(0, Math.Max(0, arguments.Count - 1))
            .FirstOrDefault(i => arguments[i].Name == "HOST" && arguments[i + 1].Name == "PORT", -1);
        if (host < 0
            || command.GetResult(arguments[host]) is not { Tokens: [Token token] }
            || !token.Value.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal))
        {
            return parsed;
        }
        int at = IndexOf(parsed.Tokens, token);
        if (at < 0)
        {
            return parsed;
        }
        List<string> values = [.. parsed.Tokens.Select(t => t.Value)];
        values.Insert(at + 1, PortPlaceholder);
        return root.Parse(values);
    }

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token))
            {
                return i;
            }
        }
        return -1;
    }
}
