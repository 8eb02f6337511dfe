using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>The arguments and options several commands share, defined once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print results and errors only, no events.", Recursive = true };

    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Also print every byte sent and received.", Recursive = true };

    public static readonly Option<LogFormat> LogFormatOption = new("--log-format")
    {
        Description = "How events are written to stderr: plain (lines as the tutorial prints them) or json (one JSON object per line, with ConnectionId and the other values as fields). Default plain.",
        DefaultValueFactory = _ => LogFormat.Plain,
        Recursive = true,
    };

    public static LogLevel LogLevelOf(ParseResult result) =>
        result.GetValue(Verbose) ? LogLevel.Trace : result.GetValue(Quiet) ? LogLevel.Warning : LogLevel.Information;

    public static Argument<string> Host(bool optional = true)
    {
        var host = new Argument<string>("HOST") { Description = $"The host name or IP address (default {EndPoints.DefaultHost}; :: listens on IPv6 and IPv4), or unix:PATH for a Unix domain socket, which takes no PORT." };
        if (optional)
        {
            host.DefaultValueFactory = _ => EndPoints.DefaultHost;
        }
        host.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && !EndPoints.IsValidHost(value))
            {
                result.AddError(EndPoints.TryGetUnixPath(value, out _)
                    ? $"'{value}' is not a Unix socket path: give unix:PATH with a PATH of 1 to {EndPoints.MaxUnixPathBytes} bytes."
                    : $"'{value}' is not a host name or IP address.");
            }
        });
        return host;
    }

    public static Argument<int> Port(bool optional = true)
    {
        var port = new Argument<int>("PORT")
        {
            Description = $"The TCP port, 0 to 65535 (default {EndPoints.DefaultPort}; 0 lets the system pick one).",
            CustomParser = ParsePort,
        };
        if (optional)
        {
            port.DefaultValueFactory = _ => EndPoints.DefaultPort;
        }
        return port;
    }

    private static int ParsePort(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, out int port) && port is >= 0 and <= 65535)
        {
            return port;
        }
        result.AddError($"'{text}' is not a port: use a number from 0 to 65535.");
        return 0;
    }

    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} (default {Durations.Format(defaultValue)}; e.g. 500ms, 30s, 2m).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseDuration(result, allowZero: false, defaultValue),
    };

    /// <summary>A duration that is none unless given; 0 says none too.</summary>
    public static Option<TimeSpan> DurationOrNone(string name, string description) => new(name)
    {
        Description = $"{description} (default none; e.g. 500ms, 2s).",
        CustomParser = result => ParseDuration(result, allowZero: true, TimeSpan.Zero),
    };

    private static TimeSpan ParseDuration(ArgumentResult result, bool allowZero, TimeSpan defaultValue)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (allowZero && text == "0")
        {
            return TimeSpan.Zero;
        }
        if (Durations.TryParse(text, out TimeSpan value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)))
        {
            return value;
        }
        result.AddError($"'{text}' is not a duration: use e.g. 500ms, 30s or 2m.");
        return defaultValue;
    }

    public static Option<TimeSpan> ConnectTimeout() => Duration("--connect-timeout", "The longest to wait for the connection", TimeSpan.FromSeconds(10));

    public static Option<TimeSpan> Timeout() => Duration("--timeout", "The longest to wait for the whole exchange after connecting", TimeSpan.FromSeconds(30));

    public static Option<EngineKind> Engine(EngineKind defaultEngine) => new("--engine")
    {
        Description = $"How to move bytes: select (readiness loops on epoll/kqueue/poll, see --loops), blocking (a thread per connection, as the tutorial's echo-server) or async (tasks on the thread pool) (default {defaultEngine.ToString().ToLowerInvariant()}).",
        DefaultValueFactory = _ => defaultEngine,
    };

    /// <summary>--loops N: how many readiness loops the select engine runs; null means one per core.</summary>
    public static Option<int?> Loops(int? defaultLoops) => new("--loops")
    {
        Description = "With --engine select: readiness loops, each a thread with its own selector, sharing the listener "
            + (defaultLoops is { } n ? $"(default {n}, as the tutorial's one thread)." : $"(default one per core: {Environment.ProcessorCount} here)."),
        HelpName = "N",
        DefaultValueFactory = _ => defaultLoops,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, out int loops) && loops is >= 1 and <= ScaleOptions.MaxWorkers)
            {
                return loops;
            }
            result.AddError($"'{text}' is not a number of loops: use a number from 1 to {ScaleOptions.MaxWorkers}.");
            return null;
        },
    };
}
