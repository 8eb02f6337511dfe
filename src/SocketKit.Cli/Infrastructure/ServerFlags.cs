using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// The limits and timeouts every server command takes, defined once so echo-server, multiconn-server and
/// app-server read the same: sizes as 16KiB, 1MiB or plain bytes; durations as 500ms, 30s, 2m.
/// </summary>
internal sealed class ServerFlags
{
    private ServerFlags()
    {
    }

    public required Option<long> MaxHeaderBytes { get; init; }
    public required Option<long> MaxContentBytes { get; init; }
    public required Option<int> MaxConnections { get; init; }
    public required Option<long> MaxSendBufferBytes { get; init; }
    public required Option<TimeSpan> RequestTimeout { get; init; }
    public required Option<TimeSpan> IdleTimeout { get; init; }
    public required Option<TimeSpan> DrainTimeout { get; init; }
    public required Option<double> MinRequestRate { get; init; }
    public required Option<double> MinResponseRate { get; init; }
    public required Option<TimeSpan> MinRateGracePeriod { get; init; }


    /// <summary>Adds the flags to <paramref name="command"/> and returns them, to read back with <see cref="Apply"/>.</summary>
    public static ServerFlags AddTo(Command command)
    {
        ProtocolLimits protocol = ProtocolLimits.Default;
        ServerLimits limits = ServerLimits.Default;
        ServerTimeouts timeouts = ServerTimeouts.Default;
        var flags = new ServerFlags
        {
            MaxHeaderBytes = Size("--max-header-bytes", "The largest JSON header a request may have", protocol.MaxHeaderBytes, 1, ProtocolLimits.WireMaxHeaderBytes),
            MaxContentBytes = Size("--max-content-bytes", "The largest content a request may declare; a larger one is refused before its bytes are read", protocol.MaxContentBytes, 0, Array.MaxLength),
            MaxConnections = Count("--max-connections", "The most connections served at once; one more is closed at once and counted", limits.MaxConnections),
            MaxSendBufferBytes = Size("--max-send-buffer-bytes", "The most bytes a connection may have waiting to be sent; a slow reader past it is cut off", limits.MaxSendBufferBytes, 1, int.MaxValue),
            RequestTimeout = CommonOptions.Duration("--request-timeout", "The longest a whole request may take to arrive, from its first byte; more bytes do not extend it", timeouts.RequestTimeout),
            IdleTimeout = CommonOptions.Duration("--idle-timeout", "The longest a kept-alive connection may wait between requests", timeouts.IdleTimeout),
            DrainTimeout = CommonOptions.Duration("--drain-timeout", "On Ctrl+C or SIGTERM, the longest to let requests in flight finish before closing them", timeouts.DrainTimeout),
            MinRequestRate = Rate("--min-request-rate", "The slowest a client may send a request's content, in bytes per second on average since it began, after the grace period", timeouts.MinRequestContentBytesPerSecond),
            MinResponseRate = Rate("--min-response-rate", "The slowest a client may read a response, in bytes per second, after the grace period", timeouts.MinResponseBytesPerSecond),
            MinRateGracePeriod = CommonOptions.Duration("--min-rate-grace-period", "How long content or a response may go slower than its minimum rate; a response must reach its rate in each such period", timeouts.MinDataRateGracePeriod),
        };
        command.Options.Add(flags.MaxHeaderBytes);
        command.Options.Add(flags.MaxContentBytes);
        command.Options.Add(flags.MaxConnections);
        command.Options.Add(flags.MaxSendBufferBytes);
        flags.RequestTimeout.Aliases.Add("--header-timeout"); // Its former name: command lines that say it still work.
        command.Options.Add(flags.RequestTimeout);
        command.Options.Add(flags.IdleTimeout);
        command.Options.Add(flags.DrainTimeout);
        command.Options.Add(flags.MinRequestRate);
        command.Options.Add(flags.MinResponseRate);
        command.Options.Add(flags.MinRateGracePeriod);
        return flags;
    }

    /// <summary>Returns <paramref name="options"/> with the limits and timeouts of the command line.</summary>
    public ServerOptions Apply(ServerOptions options, ParseResult result) => options with
    {
        Limits = options.Limits with
        {
            MaxConnections = result.GetValue(MaxConnections),
            MaxSendBufferBytes = (int)result.GetValue(MaxSendBufferBytes),
            Protocol = options.Limits.Protocol with
            {
                MaxHeaderBytes = (int)result.GetValue(MaxHeaderBytes),
                MaxContentBytes = (int)result.GetValue(MaxContentBytes),
            },
        },
        Timeouts = options.Timeouts with
        {
            RequestTimeout = result.GetValue(RequestTimeout),
            IdleTimeout = result.GetValue(IdleTimeout),
            DrainTimeout = result.GetValue(DrainTimeout),
            MinRequestContentBytesPerSecond = result.GetValue(MinRequestRate),
            MinResponseBytesPerSecond = result.GetValue(MinResponseRate),
            MinDataRateGracePeriod = result.GetValue(MinRateGracePeriod),
        },
    };

    private static Option<long> Size(string name, string description, long defaultValue, long min, long max) => new(name)
    {
        Description = $"{description} (default {ByteSizes.Format(defaultValue)}; e.g. 16KiB, 1MiB or bytes).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!ByteSizes.TryParse(text, out long value))
            {
                result.AddError($"{ValueParsers.Shown(text)} is not a size for {name}: use e.g. 16KiB, 1MiB or a number of bytes.");
            }
            else if (value < min || value > max)
            {
                result.AddError($"{name} must be from {ByteSizes.Format(min)} to {ByteSizes.Format(max)} bytes, not {text}.");
            }
            return value;
        },
    };

    /// <summary>A rate no link reaches (1 TiB/s): a minimum above it would close every connection.</summary>
    private const double MaxRate = 1024d * 1024 * 1024 * 1024;

    private static Option<double> Rate(string name, string description, double defaultValue) => new(name)
    {
        Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)}; e.g. 240, 1KiB).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = (ArgumentResult result) =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && value <= MaxRate)
            {
                return value;
            }
            if (ByteSizes.TryParse(text, out long bytes) && bytes > 0 && bytes <= MaxRate)
            {
                return bytes;
            }
            result.AddError($"{ValueParsers.Shown(text)} is not a rate for {name}: use a number of bytes per second up to 1TiB, e.g. 240 or 1KiB.");
            return defaultValue;
        },
    };

    private static Option<int> Count(string name, string description, int defaultValue) => new(name)
    {
        Description = $"{description} (default {defaultValue}).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = (ArgumentResult result) =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, out int value) && value >= 1)
            {
                return value;
            }
            result.AddError($"{ValueParsers.Shown(text)} is not a count for {name}: use a whole number of at least 1.");
            return defaultValue;
        },
    };
}
