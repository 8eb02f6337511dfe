using System.Globalization;
using SocketKit.Transport.Engines;

namespace SocketKit.Transport.Settings;

/// <summary>
/// One server setting as <see cref="ServerSettings.All"/> lists it: its configuration key (from which a command line
/// spells its flag), its kind of value, its default and why. The command line and Hosting both read a setting through <see cref="TryApply"/>,
/// so they take the same text, check it the same way and say what is wrong with it in the same words.
/// </summary>
public abstract class ServerSetting
{
    private protected ServerSetting(string section, string name, SettingKind kind, string description, string reason)
    {
        Section = section;
        Name = name;
        Kind = kind;
        Description = description;
        Reason = reason;
    }

    /// <summary>The setting's section in a server's configuration (Limits, Timeouts), empty for one at the top.</summary>
    public string Section { get; }

    /// <summary>The setting's own name, e.g. RequestTimeout.</summary>
    public string Name { get; }

    /// <summary>Its configuration key under a server's section (<c>SocketKit:Servers:NAME</c>), e.g. Timeouts:RequestTimeout.</summary>
    public string Key => Section.Length == 0 ? Name : $"{Section}:{Name}";

    /// <summary>What kind of value it takes.</summary>
    public SettingKind Kind { get; }

    /// <summary>What it does, as the command line's help says it.</summary>
    public string Description { get; }

    /// <summary>Why its default is what it is.</summary>
    public string Reason { get; }

    /// <summary>A former configuration name (in the same section), still read; null when none.</summary>
    public string? FormerName { get; init; }

    /// <summary>The default, as the command line and configuration write it (e.g. 30s, 16KiB, select).</summary>
    public string DefaultText => Format(ServerSettings.Default);

    /// <summary>Examples of the value, for help and errors; empty where the kind says it all (a whole number, true or false).</summary>
    public string Examples => Kind switch
    {
        SettingKind.Duration => "500ms, 30s, 2m or 00:00:30",
        SettingKind.Size => "16KiB, 1MiB or a number of bytes",
        SettingKind.Count => "",
        SettingKind.Rate => "240 or 1KiB",
        SettingKind.Switch => "",
        SettingKind.Engine => $"one of {UsageNames}",
        _ => "",
    };

    private static string UsageNames => string.Join(", ", Enum.GetNames<EngineKind>().Select(n => n.ToLowerInvariant()));

    /// <summary>The setting's value in <paramref name="settings"/>, as text.</summary>
    public abstract string Format(ServerSettings settings);

    /// <summary>
    /// Reads <paramref name="text"/> into <paramref name="settings"/>; on failure, <paramref name="error"/> says why in one
    /// line beginning with <paramref name="name"/> (the flag, or the whole configuration key) and the settings are unchanged.
    /// </summary>
    public abstract bool TryApply(ServerSettings settings, string text, string name, out ServerSettings result, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error);

    private protected string NotA(string name, string text, string noun) =>
        Examples.Length == 0 ? $"{name}: {Shown(text)} is not {noun}" : $"{name}: {Shown(text)} is not {noun}; use {Examples}";

    private protected static string Shown(string text) => text.Length == 0 ? "an empty value" : $"'{(text.Length > 40 ? text[..40] + "..." : text)}'";

    private protected static string FirstLine(string message) => message.Split('\n', 2)[0].Split(" (Parameter", 2)[0].Trim();

    private protected static string FormatRate(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private protected static bool TryParseValue(SettingKind kind, string text, out object? value)
    {
        value = null;
        string t = text.Trim();
        switch (kind)
        {
            case SettingKind.Duration when Durations.TryParse(t, out TimeSpan duration):
                value = duration;
                return true;
            case SettingKind.Size when ByteSizes.TryParse(t, out long bytes):
                value = bytes;
                return true;
            case SettingKind.Count when long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long count):
                value = count;
                return true;
            case SettingKind.Rate when double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && double.IsFinite(rate):
                value = rate;
                return true;
            case SettingKind.Rate when ByteSizes.TryParse(t, out long rateBytes):
                value = (double)rateBytes;
                return true;
            case SettingKind.Switch when bool.TryParse(t, out bool on):
                value = on;
                return true;
            case SettingKind.Engine:
                // Names only: Enum.TryParse would also take "1" and return a value no name has.
                string? match = Enum.GetNames<EngineKind>().FirstOrDefault(n => string.Equals(n, t, StringComparison.OrdinalIgnoreCase));
                value = match is null ? null : Enum.Parse<EngineKind>(match);
                return match is not null;
            default:
                return false;
        }
    }

    private protected static string Noun(SettingKind kind) => kind switch
    {
        SettingKind.Duration => "a duration",
        SettingKind.Size => "a size",
        SettingKind.Count => "a whole number",
        SettingKind.Rate => "a rate",
        SettingKind.Switch => "true or false",
        SettingKind.Engine => "an engine",
        _ => "a value",
    };
}

/// <summary>A setting whose value is a <typeparamref name="T"/> inside <see cref="ServerSettings"/>.</summary>
internal sealed class ServerSetting<T> : ServerSetting
{
    private readonly Func<ServerSettings, T> _get;
    private readonly Func<ServerSettings, T, ServerSettings> _set;
    private readonly Func<T, string> _format;

    public ServerSetting(string section, string name, SettingKind kind, Func<ServerSettings, T> get, Func<ServerSettings, T, ServerSettings> set,
        string description, string reason, Func<T, string>? format = null)
        : base(section, name, kind, description, reason)
    {
        _get = get;
        _set = set;
        _format = format ?? DefaultFormat;
    }

    public override string Format(ServerSettings settings) => _format(_get(settings));

    public override bool TryApply(ServerSettings settings, string text, string name, out ServerSettings result, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        result = settings;
        if (!TryParseValue(Kind, text, out object? parsed))
        {
            error = NotA(name, text, Noun(Kind));
            return false;
        }
        try
        {
            result = _set(settings, Convert(parsed!));
            error = null;
            return true;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            error = $"{name}: {text.Trim()} {FirstLine(ex.Message)}";
            return false;
        }
    }

    // Sizes and counts are read as longs so that a value past an int is refused in words, not wrapped.
    private static T Convert(object parsed) => parsed switch
    {
        long n when typeof(T) == typeof(int) || typeof(T) == typeof(int?) => n is >= int.MinValue and <= int.MaxValue
            ? (T)(object)(int)n
            : throw new ArgumentOutOfRangeException(null, n, $"must be at most {int.MaxValue}"),
        _ => (T)parsed,
    };

    private string DefaultFormat(T value) => value switch
    {
        TimeSpan duration => Durations.Format(duration),
        int bytes when Kind == SettingKind.Size => ByteSizes.Format(bytes),
        double rate => FormatRate(rate),
        bool on => on ? "true" : "false",
        EngineKind engine => engine.ToString().ToLowerInvariant(),
        null => "none",
        _ => string.Format(CultureInfo.InvariantCulture, "{0}", value),
    };
}
