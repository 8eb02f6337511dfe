using System.CommandLine.Parsing;

namespace SocketKit.Cli.Parsing;

/// <summary>
/// The one way every typed value on the command line is read: ports, counts, sizes, enum names, file paths.
/// Each parser adds an error in words (the parser reports it as a usage error, exit 2) instead of letting a value
/// reach a command it would crash or mislead.
/// </summary>
internal static class ValueParsers
{
    private const int MaxShown = 40;

    /// <summary>NAME_MAX of Linux file systems.</summary>
    private const int MaxFileNameBytes = 255;

    /// <summary>The value as typed, empty when none.</summary>
    public static string Text(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : "";

    /// <summary>A value as an error shows it: quoted, control characters escaped, cut short when long.</summary>
    public static string Shown(string text)
    {
        if (text.Length == 0)
        {
            return "an empty value";
        }
        string cut = text.Length > MaxShown ? text[..MaxShown] + "..." : text;
        var escaped = string.Concat(cut.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
        return $"'{escaped}'";
    }

    /// <summary>A TCP port; <paramref name="min"/> is 0 where the system may pick one (servers), 1 where a peer's port is meant.</summary>
    public static int Port(ArgumentResult result, string name, int min)
    {
        string text = Text(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port >= min && port <= 65535)
        {
            return port;
        }
        // A client's port 0 is the likeliest mistake: say why it cannot be, rather than just the range.
        result.AddError(port == 0 && min > 0 && text == "0"
            ? $"{name} 0 is not a port to connect to: 0 asks the system to pick one when listening; give the server's port, 1 to 65535."
            : $"{Shown(text)} is not a port for {name}: use a number from {min} to 65535.");
        return 0;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static long Integer(ArgumentResult result, string name, long min, long max)
    {
        string text = Text(result);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
        {
            return value;
        }
        string range = max == long.MaxValue || max == int.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";
        result.AddError($"{Shown(text)} is not a valid value for {name}: use {range}.");
        return min;
    }

    /// <summary>
    /// Whether an option of the command line was left without its value: the parser says so itself, and a command's
    /// own validator, which would read the others as if nothing were missing, steps aside.
    /// </summary>
    public static bool HasValuelessOption(CommandResult result) =>
        result.Children.OfType<OptionResult>().Any(o => !o.Implicit && o.Option.Arity.MinimumNumberOfValues > 0 && o.Tokens.Count == 0);

    /// <summary>A rate in requests per second: a number above 0, at most 10,000,000 (fractions allowed: 0.5 is one every 2 s).</summary>
    public static double Rate(ArgumentResult result, string name)
    {
        string text = Text(result);
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value > 0 && value <= 10_000_000)
        {
            return value;
        }
        result.AddError($"{Shown(text)} is not a valid value for {name}: use requests per second, a number above 0 and at most 10,000,000.");
        return 1;
    }

    /// <summary>One of an enum's names, in any case; the error lists them in the lower case help uses.</summary>
    public static T Enum<T>(ArgumentResult result, string name) where T : struct, Enum
    {
        string text = Text(result);
        // Names only: Enum.TryParse would also take "1" or "-5" and return a value no name has.
        string? match = System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return System.Enum.Parse<T>(match);
        }
        result.AddError($"{Shown(text)} is not a value for {name}: use {Names(typeof(T))}.");
        return default;
    }

    /// <summary>An enum type's names as help and errors list them: "blocking, select or async".</summary>
    public static string Names(Type enumType)
    {
        return UsageErrors.Either([.. System.Enum.GetNames(enumType).Select(n => n.ToLowerInvariant())], "or");
    }

    /// <summary>A file to write: its folder must exist and it must not be a folder itself.</summary>
    public static string? OutputFile(ArgumentResult result, string name)
    {
        string text = Text(result);
        if (text.Length == 0)
        {
            result.AddError($"{name} needs a file name.");
            return null;
        }
        string full = Path.GetFullPath(text);
        string? folder = Path.GetDirectoryName(full);
        if (Directory.Exists(full))
        {
            result.AddError($"{name} {Shown(text)} is a directory: give a file name in it.");
        }
        else if (folder is not null && !Directory.Exists(folder))
        {
            result.AddError($"{name} {Shown(text)}: the directory {folder} does not exist.");
        }
        else if (Encoding.UTF8.GetByteCount(Path.GetFileName(full)) > MaxFileNameBytes)
        {
            result.AddError($"{name} {Shown(text)}: a file name is at most {MaxFileNameBytes} bytes.");
        }
        return text;
    }

    /// <summary>A file to read: it must exist.</summary>
    public static string? InputFile(ArgumentResult result, string name)
    {
        string text = Text(result);
        if (text.Length == 0)
        {
            result.AddError($"{name} needs a file name.");
            return null;
        }
        if (!File.Exists(text))
        {
            result.AddError(Directory.Exists(text) ? $"{name} {Shown(text)} is a directory, not a file." : $"{name} {Shown(text)}: no such file.");
        }
        return text;
    }

    /// <summary>A host name, an IP address, or (where <paramref name="allowUnix"/>) unix:PATH.</summary>
    public static string Host(ArgumentResult result, string name, bool allowUnix)
    {
        string text = Text(result);
        bool unix = EndPoints.TryGetUnixPath(text, out _);
        if (unix && !allowUnix)
        {
            result.AddError($"{name} {Shown(text)} is a Unix socket: this command needs a host name or IP address.");
        }
        else if (!unix && HostWithPort(text) is ({ } host, { } port))
        {
            // Refused on every command alike: IPAddress.TryParse takes "[::1]:65437" and drops its port without a word.
            result.AddError(name == "HOST"
                ? $"{Shown(text)} {HostAndPortInOne}: give them as two, HOST then PORT ({host} {port})."
                : $"{Shown(text)} {HostAndPortInOne}: {name} takes the host alone ({host}).");
        }
        else if (!unix && !IPAddress.TryParse(text, out _) && text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            result.AddError($"{Shown(text)} is not an IP address: an IPv4 address is four numbers from 0 to 255, e.g. 127.0.0.1.");
        }
        else if (!unix && !text.All(char.IsAscii))
        {
            // The resolver takes ASCII names only; an international name is written in its xn-- form.
            result.AddError($"{Shown(text)} is not a host name: use an IP address or an ASCII host name (an international name in its xn-- form).");
        }
        else if (!EndPoints.IsValidHost(text))
        {
            result.AddError(unix
                ? $"{Shown(text)} is not a Unix socket path: give unix:PATH with a PATH of 1 to {EndPoints.MaxUnixPathBytes} bytes."
                : $"{Shown(text)} is not a host name or IP address.");
        }
        return text;
    }

    /// <summary>What a HOST that holds a port too is told, on every command.</summary>
    public const string HostAndPortInOne = "is a host and a port in one argument";

    /// <summary>The host and port of "[::1]:65437", "127.0.0.1:65437" or "localhost:65437"; null for a host alone (an IPv6 address without brackets is one).</summary>
    internal static (string Host, string Port)? HostWithPort(string text)
    {
        System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(text, @"^(?:\[(?<host>[^\]]+)\]|(?<host>[^:\[\]]+)):(?<port>\d+)$");
        return match.Success ? (match.Groups["host"].Value, match.Groups["port"].Value) : null;
    }

    /// <summary>Whether the command's HOST argument, as typed, names a Unix socket (its PORT is then a placeholder).</summary>
    public static bool HostIsUnix(ArgumentResult port) =>
        port.Parent is CommandResult command
        && command.Children.OfType<ArgumentResult>().FirstOrDefault(a => a.Argument.Name.EndsWith("HOST", StringComparison.Ordinal)) is { Tokens.Count: > 0 } host
        && host.Tokens[0].Value.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal);
}
