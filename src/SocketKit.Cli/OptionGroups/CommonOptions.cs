using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using SocketKit.Cli.Logging;

namespace SocketKit.Cli.OptionGroups;

/// <summary>The arguments and options several commands share, defined once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print results and errors only, no events.", Recursive = true };

    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Also print every byte sent and received.", Recursive = true };

    public static readonly Option<LogFormat> LogFormatOption = LogFormatOf();

    private static Option<LogFormat> LogFormatOf()
    {
        Option<LogFormat> option = Enum("--log-format",
            "How events are written to stderr: plain (lines as the tutorial prints them) or json (one JSON object per line, with ConnectionId and the other values as fields). Default plain.",
            LogFormat.Plain);
        option.Recursive = true;
        return option;
    }

    public static LogLevel LogLevelOf(ParseResult result) =>
        result.GetValue(Verbose) ? LogLevel.Trace : result.GetValue(Quiet) ? LogLevel.Warning : LogLevel.Information;

    /// <summary>HOST: where a server listens, or (<paramref name="client"/>) the server a client connects to.</summary>
    public static Argument<string> Host(bool optional = true, bool client = false)
    {
        var host = new Argument<string>("HOST")
        {
            Description = client
                ? $"The server's host name or IP address{(optional ? $" (default {EndPoints.DefaultHost})" : "")}, or unix:PATH for a Unix domain socket, which takes no PORT."
                : $"The address to listen on ({(optional ? $"default {EndPoints.DefaultHost}; " : "")}:: listens on IPv6 and IPv4), or unix:PATH for a Unix domain socket, which takes no PORT.",
            CustomParser = result => ValueParsers.Host(result, "HOST", allowUnix: true),
        };
        if (optional)
        {
            host.DefaultValueFactory = _ => EndPoints.DefaultHost;
        }
        return host;
    }

    /// <summary>HOST of a probe (ping, diagnose): a host name or IP address, never unix:PATH.</summary>
    public static Argument<string> ProbedHost(string description) => new("HOST")
    {
        Description = description,
        CustomParser = result => ValueParsers.Host(result, "HOST", allowUnix: false),
    };

    /// <summary>PORT: 0 to 65535 for a server (0 lets the system pick), 1 to 65535 for a <paramref name="client"/>.</summary>
    public static Argument<int> Port(bool optional = true, bool client = false)
    {
        var port = new Argument<int>("PORT")
        {
            Description = client
                ? $"The server's TCP port, 1 to 65535{(optional ? $" (default {EndPoints.DefaultPort})" : "")}."
                : $"The TCP port to listen on, 0 to 65535 ({(optional ? $"default {EndPoints.DefaultPort}; " : "")}0 lets the system pick one).",
            // A Unix socket's PORT is the placeholder UnixHostArguments puts there: not the user's, so not checked.
            CustomParser = result => client && ValueParsers.HostIsUnix(result) ? 0 : ValueParsers.Port(result, "PORT", client ? 1 : 0),
        };
        if (optional)
        {
            port.DefaultValueFactory = _ => EndPoints.DefaultPort;
        }
        return port;
    }

    /// <summary>A whole-number option from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Integer(string name, string description, int defaultValue, int min, int max = int.MaxValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => (int)ValueParsers.Integer(result, name, min, max),
    };

    /// <summary>A whole-number option that is absent unless given.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int min, int max = int.MaxValue) => new(name)
    {
        Description = description,
        CustomParser = result => (int)ValueParsers.Integer(result, name, min, max),
    };

    /// <summary>An option naming one of <typeparamref name="T"/>'s values, in any case.</summary>
    public static Option<T> Enum<T>(string name, string description, T defaultValue) where T : struct, Enum => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ValueParsers.Enum<T>(result, name),
    };

    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} (default {Durations.Format(defaultValue)}; e.g. 500ms, 30s, 2m).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseDuration(result, name, allowZero: false, defaultValue),
    };

    /// <summary>A duration that is none unless given; 0 says none too.</summary>
    public static Option<TimeSpan> DurationOrNone(string name, string description) => new(name)
    {
        Description = $"{description} (default none; e.g. 500ms, 2s).",
        CustomParser = result => ParseDuration(result, name, allowZero: true, TimeSpan.Zero),
    };

    private static TimeSpan ParseDuration(ArgumentResult result, string name, bool allowZero, TimeSpan defaultValue)
    {
        string text = ValueParsers.Text(result);
        if (allowZero && text == "0")
        {
            return TimeSpan.Zero;
        }
        if (Durations.TryParse(text, out TimeSpan value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)))
        {
            return value;
        }
        result.AddError($"{ValueParsers.Shown(text)} is not a duration for {name}: use e.g. 500ms, 30s or 2m{(allowZero ? " (0 for none)" : "")}.");
        return defaultValue;
    }

    public static Option<TimeSpan> ConnectTimeout() => Duration("--connect-timeout", "The longest to wait for the connection", TimeSpan.FromSeconds(10));

    public static Option<TimeSpan> Timeout() => Duration("--timeout", "The longest to wait for the whole exchange after connecting", TimeSpan.FromSeconds(30));
}
