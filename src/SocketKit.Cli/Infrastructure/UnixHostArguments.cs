using System.CommandLine;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// Lets <c>unix:PATH</c> stand wherever HOST PORT is accepted. A Unix socket has no port, so the HOST argument
/// alone fills both positions: <c>app-client unix:/tmp/app.sock search ring</c> reads as HOST PORT ACTION VALUE.
/// The command line is rewritten before parsing by giving the unused PORT a placeholder right after the path.
/// </summary>
internal static class UnixHostArguments
{
    /// <summary>The port that stands in for the one a Unix socket does not have.</summary>
    public const string PortPlaceholder = "0";

    /// <summary>
    /// Walks <paramref name="args"/> as the parser will (subcommands, options and the values they take, then
    /// positional arguments in order), so that only a token in HOST's own position, followed by PORT's, is taken
    /// for a Unix socket: a message or value that happens to start with "unix:" is left as typed.
    /// </summary>
    public static string[] Expand(string[] args, Command root)
    {
        Command command = root;
        int position = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string token = args[i];
            if (position == 0 && command.Subcommands.FirstOrDefault(c => c.Name == token || c.Aliases.Contains(token)) is { } sub)
            {
                command = sub;
                continue;
            }
            if (token.Length > 1 && token[0] == '-')
            {
                // An option with a value takes the next token too, unless written --name=value; a flag takes none.
                Option? option = FindOption(command, root, token);
                if (option is not null && option.ValueType != typeof(bool) && !token.Contains('='))
                {
                    i++;
                }
                continue;
            }
            IList<Argument> arguments = command.Arguments;
            if (token.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal)
                && position + 1 < arguments.Count && arguments[position].Name == "HOST" && arguments[position + 1].Name == "PORT")
            {
                return [.. args[..(i + 1)], PortPlaceholder, .. args[(i + 1)..]];
            }
            position++;
        }
        return args;
    }

    private static Option? FindOption(Command command, Command root, string token) =>
        command.Options.Concat(root.Options).FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token));
}
