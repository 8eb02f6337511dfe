using Microsoft.Extensions.Configuration;
using SocketKit.Transport.Settings;

namespace SocketKit.Hosting;

/// <summary>
/// Reads a server's configuration section into <see cref="ServerSettings"/> by walking <see cref="ServerSettings.All"/>:
/// each setting's key, read with the same parser the command line uses, so every setting the model has is configurable
/// with the text its flag takes. Configuration's own binder is not used for them: it takes only TimeSpan text and plain
/// numbers, and throws at the first value it cannot convert.
/// </summary>
internal static class ServerSettingsReader
{
    /// <summary>Reads every setting <paramref name="section"/> gives into <paramref name="options"/>; each bad one is a problem naming its key.</summary>
    public static void Read(IConfigurationSection section, SocketKitServerOptions options)
    {
        ServerSettings settings = options.Settings;
        foreach (ServerSetting setting in ServerSettings.All)
        {
            string key = $"{section.Path}:{setting.Key}";
            string? value = section[setting.Key];
            if (setting.FormerName is { } formerName)
            {
                string formerKey = setting.Section.Length == 0 ? formerName : $"{setting.Section}:{formerName}";
                if (section[formerKey] is { } former)
                {
                    if (value is not null && !SameValue(setting, value, former))
                    {
                        options.Problems.Add($"{section.Path}:{formerKey}: {former} differs from {key}: {value}; it is the same setting under its former name, give one");
                        continue;
                    }
                    (value, key) = value is null ? (former, $"{section.Path}:{formerKey}") : (value, key);
                }
            }
            if (value is null)
            {
                continue;
            }
            if (setting.TryApply(settings, value, key, out ServerSettings applied, out string? error))
            {
                settings = applied;
            }
            else
            {
                options.Problems.Add(error);
            }
        }
        options.Settings = settings;
        ReportUnknown(section, options.Problems);
    }

    /// <summary>
    /// A key in a section that holds settings only (Limits, Timeouts) that is none of them is a typo, or a setting of
    /// another version: said, rather than silently left at its default.
    /// </summary>
    private static void ReportUnknown(IConfigurationSection section, List<string> problems)
    {
        foreach (IGrouping<string, ServerSetting> group in ServerSettings.All.Where(s => s.Section.Length > 0).GroupBy(s => s.Section))
        {
            foreach (IConfigurationSection child in section.GetSection(group.Key).GetChildren())
            {
                if (!group.Any(s => string.Equals(s.Name, child.Key, StringComparison.OrdinalIgnoreCase) || string.Equals(s.FormerName, child.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"{child.Path}: not a setting; {group.Key} holds {string.Join(", ", group.Select(s => s.Name))}");
                }
            }
        }
    }

    private static bool SameValue(ServerSetting setting, string a, string b) =>
        setting.TryApply(ServerSettings.Default, a, "", out ServerSettings x, out _) && setting.TryApply(ServerSettings.Default, b, "", out ServerSettings y, out _)
            ? setting.Format(x) == setting.Format(y)
            : a == b;
}
