using SocketKit.Transport.Engines;

namespace SocketKit.Cli.OptionGroups;

/// <summary>
/// The settings every server command takes, one flag per entry of the library's <see cref="ServerSettings.All"/>, so
/// echo-server, multiconn-server, app-server and Hosting's configuration read the same names, defaults and values:
/// sizes as 16KiB, 1MiB or plain bytes; durations as 500ms, 30s, 2m or 00:00:30. A setting added to the model is a
/// flag here without a change: its flag is its name in kebab case (<see cref="FlagOf"/>).
/// </summary>
internal sealed class ServerFlags : IOptionGroup<ServerSettings>
{
    private readonly ServerSettings _defaults;
    private readonly List<(ServerSetting Setting, Option Option)> _flags = [];

    /// <param name="defaults">The command's defaults: the model's, but for what the command says otherwise (multiconn-server's one loop).</param>
    public ServerFlags(ServerSettings? defaults = null)
    {
        _defaults = defaults ?? ServerSettings.Default;
        foreach (ServerSetting setting in ServerSettings.All)
        {
            _flags.Add((setting, Flag(setting, _defaults)));
        }
    }

    /// <summary>Flags shorter than their setting's name in kebab case.</summary>
    private static readonly Dictionary<string, string> Shortened = new(StringComparer.Ordinal)
    {
        ["MinRequestContentBytesPerSecond"] = "--min-request-rate",
        ["MinResponseBytesPerSecond"] = "--min-response-rate",
        ["MinDataRateGracePeriod"] = "--min-rate-grace-period",
    };

    /// <summary>A setting's flag: its name in kebab case (RequestTimeout → --request-timeout), or a shorter one.</summary>
    public static string FlagOf(ServerSetting setting) => Shortened.TryGetValue(setting.Name, out string? flag) ? flag : Kebab(setting.Name);

    /// <summary>The flag of a setting's former name, still read; null when it has none.</summary>
    public static string? FormerFlagOf(ServerSetting setting) => setting.FormerName is { } former ? Kebab(former) : null;

    private static string Kebab(string name) =>
        "--" + string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : $"{char.ToLowerInvariant(c)}"));

    /// <summary>Every setting with its flag, in the model's order.</summary>
    public IReadOnlyList<(ServerSetting Setting, Option Option)> Flags => _flags;

    public void AddTo(Command command)
    {
        foreach ((_, Option option) in _flags)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The command's defaults with every flag given applied; a value the parser refused is left at its default.</summary>
    public ServerSettings Read(ParseResult result) => Read(result.GetValue, result.GetValue);

    /// <summary>The same, for a command's validators.</summary>
    public ServerSettings Read(System.CommandLine.Parsing.CommandResult result) => Read(result.GetValue, result.GetValue);

    private ServerSettings Read(Func<Option<bool>, bool> isOn, Func<Option<string>, string?> textOf)
    {
        ServerSettings settings = _defaults;
        foreach ((ServerSetting setting, Option option) in _flags)
        {
            string? text = option is Option<bool> on ? (isOn(on) ? "true" : null) : textOf((Option<string>)option);
            if (text is not null && setting.TryApply(settings, text, FlagOf(setting), out ServerSettings applied, out _))
            {
                settings = applied;
            }
        }
        return settings;
    }

    private static Option Flag(ServerSetting setting, ServerSettings defaults)
    {
        if (setting.Kind == SettingKind.Switch)
        {
            return new Option<bool>(FlagOf(setting)) { Description = $"{setting.Description}." };
        }
        var option = new Option<string>(FlagOf(setting))
        {
            Description = setting.Kind switch
            {
                SettingKind.Engine => $"{setting.Description} (default {setting.Format(defaults)}; {setting.Examples}).",
                _ when setting.Examples.Length == 0 => $"{setting.Description} (default {setting.Format(defaults)}).",
                _ => $"{setting.Description} (default {setting.Format(defaults)}; e.g. {setting.Examples}).",
            },
            HelpName = setting.Kind switch
            {
                SettingKind.Duration => "DURATION",
                SettingKind.Size => "SIZE",
                SettingKind.Rate => "RATE",
                SettingKind.Engine => "ENGINE",
                _ => "N",
            },
            CustomParser = result =>
            {
                string text = ValueParsers.Text(result);
                // Checked against the model's own ranges now, so a bad value is a usage error (exit 2) before anything starts.
                if (!setting.TryApply(defaults, text, FlagOf(setting), out _, out string? error))
                {
                    result.AddError(error);
                }
                return text;
            },
        };
        if (setting.Kind == SettingKind.Engine)
        {
            option.CompletionSources.Add(Enum.GetNames<EngineKind>());
        }
        if (FormerFlagOf(setting) is { } former)
        {
            option.Aliases.Add(former); // Its former name: command lines that say it still work.
        }
        return option;
    }
}
