using SocketKit.Transport.Engines;
using SocketKit.Transport.Settings;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// The settings every server command takes, one flag per entry of the library's <see cref="ServerSettings.All"/>, so
/// echo-server, multiconn-server, app-server and Hosting's configuration read the same names, defaults and values:
/// sizes as 16KiB, 1MiB or plain bytes; durations as 500ms, 30s, 2m or 00:00:30. A setting added to the model is a
/// flag here without a change.
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

    /// <summary>The flag of a setting, by its configuration key or flag.</summary>
    public Option this[string keyOrFlag] => _flags.Single(f => f.Setting == ServerSettings.Find(keyOrFlag)).Option;

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
            if (text is not null && setting.TryApply(settings, text, setting.Flag, out ServerSettings applied, out _))
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
            return new Option<bool>(setting.Flag) { Description = $"{setting.Description}." };
        }
        var option = new Option<string>(setting.Flag)
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
                if (!setting.TryApply(defaults, text, setting.Flag, out _, out string? error))
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
        if (setting.FormerFlag is { } former)
        {
            option.Aliases.Add(former); // Its former name: command lines that say it still work.
        }
        return option;
    }
}
