using System.CommandLine.Parsing;
using System.Globalization;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// The limits and timeouts every server command takes, defined once so echo-server, multiconn-server and
/// app-server read the same: sizes as 16KiB, 1MiB or plain bytes; durations as 500ms, 30s, 2m.
/// </summary>
internal sealed class ServerFlags : IOptionGroup<ServerLimitsAndTimeouts>
{
    public ServerFlags()
    {
        ProtocolLimits protocol = ProtocolLimits.Default;
        ServerLimits limits = ServerLimits.Default;
        ServerTimeouts timeouts = ServerTimeouts.Default;
        MaxHeaderBytes = Size("--max-header-bytes", "The largest JSON header a request may have", protocol.MaxHeaderBytes, 1, ProtocolLimits.WireMaxHeaderBytes);
        MaxContentBytes = Size("--max-content-bytes", "The largest content a request may declare; a larger one is refused before its bytes are read", protocol.MaxContentBytes, 0, Array.MaxLength);
        MaxConnections = Count("--max-connections", "The most connections served at once; one more is closed at once and counted", limits.MaxConnections);
        MaxSendBufferBytes = Size("--max-send-buffer-bytes", "The most bytes a connection may have waiting to be sent; a slow reader past it is cut off", limits.MaxSendBufferBytes, 1, int.MaxValue);
        RequestTimeout = CommonOptions.Duration("--request-timeout", "The longest a whole request may take to arrive, from its first byte; more bytes do not extend it", timeouts.RequestTimeout);
        RequestTimeout.Aliases.Add("--header-timeout"); // Its former name: command lines that say it still work.
        IdleTimeout = CommonOptions.Duration("--idle-timeout", "The longest a kept-alive connection may wait between requests", timeouts.IdleTimeout);
        DrainTimeout = CommonOptions.Duration("--drain-timeout", "On Ctrl+C or SIGTERM, the longest to let requests in flight finish before closing them", timeouts.DrainTimeout);
        MinRequestRate = Rate("--min-request-rate", "The slowest a client may send a request's content, in bytes per second on average since it began, after the grace period", timeouts.MinRequestContentBytesPerSecond);
        MinResponseRate = Rate("--min-response-rate", "The slowest a client may read a response, in bytes per second, after the grace period", timeouts.MinResponseBytesPerSecond);
        MinRateGracePeriod = CommonOptions.Duration("--min-rate-grace-period", "How long content or a response may go slower than its minimum rate; a response must reach its rate in each such period", timeouts.MinDataRateGracePeriod);
    }

    public Option<long> MaxHeaderBytes { get; }
    public Option<long> MaxContentBytes { get; }
    public Option<int> MaxConnections { get; }
    public Option<long> MaxSendBufferBytes { get; }
    public Option<TimeSpan> RequestTimeout { get; }
    public Option<TimeSpan> IdleTimeout { get; }
    public Option<TimeSpan> DrainTimeout { get; }
    public Option<double> MinRequestRate { get; }
    public Option<double> MinResponseRate { get; }
    public Option<TimeSpan> MinRateGracePeriod { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(MaxHeaderBytes);
        command.Options.Add(MaxContentBytes);
        command.Options.Add(MaxConnections);
        command.Options.Add(MaxSendBufferBytes);
        command.Options.Add(RequestTimeout);
        command.Options.Add(IdleTimeout);
        command.Options.Add(DrainTimeout);
        command.Options.Add(MinRequestRate);
        command.Options.Add(MinResponseRate);
        command.Options.Add(MinRateGracePeriod);
    }

    /// <summary>The server's limits and timeouts, and the protocol's limits (for the application protocol's handlers).</summary>
    public ServerLimitsAndTimeouts Read(ParseResult result) => new(
        ServerLimits.Default with
        {
            MaxConnections = result.GetValue(MaxConnections),
            MaxSendBufferBytes = (int)result.GetValue(MaxSendBufferBytes),
        },
        ServerTimeouts.Default with
        {
            RequestTimeout = result.GetValue(RequestTimeout),
            IdleTimeout = result.GetValue(IdleTimeout),
            DrainTimeout = result.GetValue(DrainTimeout),
            MinRequestContentBytesPerSecond = result.GetValue(MinRequestRate),
            MinResponseBytesPerSecond = result.GetValue(MinResponseRate),
            MinDataRateGracePeriod = result.GetValue(MinRateGracePeriod),
        },
        ProtocolLimits.Default with
        {
            MaxHeaderBytes = (int)result.GetValue(MaxHeaderBytes),
            MaxContentBytes = (int)result.GetValue(MaxContentBytes),
        });

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
