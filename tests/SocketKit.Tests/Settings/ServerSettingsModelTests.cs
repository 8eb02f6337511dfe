using System.Reflection;
using Microsoft.Extensions.Configuration;
using SocketKit.Cli.OptionGroups;
using SocketKit.Hosting;
using SocketKit.Transport.Settings;

namespace SocketKit.Tests.Settings;

/// <summary>
/// The one settings model (<see cref="ServerSettings"/>): every setting of the library's records is in it, and each is
/// reachable from the command line and from configuration, with the same default and the same reading of its value.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ServerSettingsModelTests
{
    private const string Section = "SocketKit:Servers:app";

    public static TheoryData<string> Keys => [.. ServerSettings.All.Select(s => s.Key)];

    /// <summary>A value other than the default, as the command line and configuration both write it.</summary>
    internal static string OtherValue(ServerSetting setting) => setting.Kind switch
    {
        SettingKind.Duration => "7s",
        SettingKind.Size => "3KiB",
        SettingKind.Count => "3",
        SettingKind.Rate => "1KiB",
        SettingKind.Switch => "true",
        SettingKind.Engine => Enum.GetNames<EngineKind>().First(n => !n.Equals(setting.DefaultText, StringComparison.OrdinalIgnoreCase)).ToLowerInvariant(),
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting.Kind, null),
    };

    /// <summary>The records a setting's value lives in, and each one's place in <see cref="ServerSettings"/>.</summary>
    private static readonly (Type Type, Func<ServerSettings, object> Of)[] Records =
    [
        (typeof(ServerSettings), s => s),
        (typeof(ServerLimits), s => s.Limits),
        (typeof(ServerTimeouts), s => s.Timeouts),
        (typeof(ProtocolLimits), s => s.Protocol),
    ];

    private static IEnumerable<(PropertyInfo Property, Func<ServerSettings, object> Of)> SettableProperties() =>
        Records.SelectMany(r => r.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && !Records.Any(other => other.Type == p.PropertyType))
            .Select(p => (p, r.Of)));

    [Fact]
    public void EveryPublicSettingOfTheLimitsAndTimeoutsRecordsIsInTheModelAndItsEntryChangesThatPropertyAlone()
    {
        var properties = SettableProperties().ToList();
        Assert.Equal(properties.Select(p => p.Property.Name).Order(), ServerSettings.All.Select(s => s.Name).Order());
        foreach ((PropertyInfo property, Func<ServerSettings, object> of) in properties)
        {
            ServerSetting setting = ServerSettings.All.Single(s => s.Name == property.Name);
            Assert.True(setting.TryApply(ServerSettings.Default, OtherValue(setting), setting.Key, out ServerSettings changed, out string? error), error);
            foreach ((PropertyInfo other, Func<ServerSettings, object> otherOf) in properties)
            {
                bool same = Equals(other.GetValue(otherOf(ServerSettings.Default)), other.GetValue(otherOf(changed)));
                Assert.True(other == property ? !same : same, $"{setting.Key} = {OtherValue(setting)} should change {property.DeclaringType!.Name}.{property.Name} and nothing else; {other.DeclaringType!.Name}.{other.Name} {(same ? "did not change" : "changed")}");
            }
        }
    }

    [Fact]
    public void KeysAndFlagsAreUniqueAndFlagsAreTheKeysNamesInTheCommandLinesSpelling()
    {
        Assert.Equal(ServerSettings.All.Count, ServerSettings.All.Select(s => s.Key).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(ServerSettings.All.Count, ServerSettings.All.Select(s => ServerFlags.FlagOf(s)).Distinct().Count());
        Assert.All(ServerSettings.All, s => Assert.Matches("^--[a-z]+(-[a-z]+)*$", ServerFlags.FlagOf(s)));
    }

    [Fact]
    public void WithNothingGivenTheCommandLineAndConfigurationBothHoldTheModelsDefaults()
    {
        Assert.Equal(ServerSettings.Default, FromCommandLine());
        Assert.Equal(ServerSettings.Default, FromConfiguration(new()));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void EachSettingIsReachableFromTheCommandLineAndFromConfigurationWithTheSameValue(string key)
    {
        ServerSetting setting = ServerSettings.Find(key)!;
        string value = OtherValue(setting);
        Assert.NotEqual(setting.DefaultText, setting.Format(Applied(setting, value)));

        ServerSettings fromFlags = FromCommandLine(setting.Kind == SettingKind.Switch ? [ServerFlags.FlagOf(setting)] : [ServerFlags.FlagOf(setting), value]);
        ServerSettings fromConfiguration = FromConfiguration(new() { [$"{Section}:{setting.Key}"] = value });

        Assert.Equal(Applied(setting, value), fromFlags);
        Assert.Equal(fromFlags, fromConfiguration);
    }

    [Theory]
    [InlineData("Timeouts:RequestTimeout", "30s", "00:00:30")]
    [InlineData("Timeouts:IdleTimeout", "2m", "00:02:00")]
    [InlineData("Timeouts:DrainTimeout", "1.5s", "00:00:01.5")]
    [InlineData("Limits:MaxContentBytes", "1MiB", "1048576")]
    [InlineData("Limits:MaxHeaderBytes", "16KiB", "16384")]
    public void TheCommandLinesSpellingAndConfigurationsOwnAreTheSameValue(string key, string commandLine, string configuration)
    {
        ServerSetting setting = ServerSettings.Find(key)!;
        Assert.Equal(FromCommandLine(ServerFlags.FlagOf(setting), commandLine), FromConfiguration(new() { [$"{Section}:{key}"] = configuration }));
        Assert.Equal(FromCommandLine(ServerFlags.FlagOf(setting), configuration), FromConfiguration(new() { [$"{Section}:{key}"] = commandLine }));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task EveryServerCommandsHelpShowsEachSettingsFlagWithTheModelsDefault(string key)
    {
        ServerSetting setting = ServerSettings.Find(key)!;
        foreach (string command in new[] { "echo-server", "app-server" })
        {
            string help = (await Support.Cli.RunAsync(command, "--help")).Out;
            Assert.Contains(ServerFlags.FlagOf(setting), help);
            if (setting.Kind != SettingKind.Switch)
            {
                Assert.Contains($"(default {setting.DefaultText}", help);
            }
        }
    }

    [Theory]
    [InlineData("Timeouts:RequestTimeout", "soon", "'soon' is not a duration; use 500ms, 30s, 2m or 00:00:30")]
    [InlineData("Limits:MaxContentBytes", "lots", "'lots' is not a size; use 16KiB, 1MiB or a number of bytes")]
    [InlineData("Limits:MaxHeaderBytes", "100KiB", "100KiB must be 1 to 65535 bytes")]
    [InlineData("Limits:MaxContentBytes", "4GiB", "4GiB must be at most 2147483647")]
    [InlineData("Workers", "0", "0 must be from 1 to 64")]
    [InlineData("ProxyProtocol", "yes", "'yes' is not true or false")]
    public void ABadValueIsTheSameErrorUnderTheFlagAndUnderTheKey(string key, string value, string why)
    {
        ServerSetting setting = ServerSettings.Find(key)!;
        var options = new SocketKitServerOptions();
        ServerSettingsReader.Read(Configuration(new() { [$"{Section}:{key}"] = value }), options);
        Assert.Equal([$"{Section}:{key}: {why}"], options.Problems);
        Assert.Equal(ServerSettings.Default, options.Settings);
        if (setting.Kind != SettingKind.Switch)
        {
            var command = new System.CommandLine.Command("app-server");
            new ServerFlags().AddTo(command);
            Assert.Equal([$"{ServerFlags.FlagOf(setting)}: {why}"], command.Parse([ServerFlags.FlagOf(setting), value]).Errors.Select(e => e.Message));
        }
    }

    [Fact]
    public void AKeyInLimitsOrTimeoutsThatIsNoSettingIsSaidNotIgnored()
    {
        var options = new SocketKitServerOptions();
        ServerSettingsReader.Read(Configuration(new() { [$"{Section}:Limits:MaxConection"] = "5", [$"{Section}:Timeouts:requesttimeout"] = "5s" }), options);
        string holds = string.Join(", ", ServerSettings.All.Where(s => s.Section == "Limits").Select(s => s.Name));
        Assert.Equal([$"{Section}:Limits:MaxConection: not a setting; Limits holds {holds}"], options.Problems);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Settings.Timeouts.RequestTimeout); // keys are case-insensitive
    }

    private static ServerSettings Applied(ServerSetting setting, string value)
    {
        Assert.True(setting.TryApply(ServerSettings.Default, value, setting.Key, out ServerSettings applied, out string? error), error);
        return applied;
    }

    private static ServerSettings FromCommandLine(params string[] args)
    {
        var command = new System.CommandLine.Command("app-server");
        var flags = new ServerFlags();
        flags.AddTo(command);
        System.CommandLine.ParseResult result = command.Parse(args);
        Assert.Empty(result.Errors);
        return flags.Read(result);
    }

    private static ServerSettings FromConfiguration(Dictionary<string, string?> values)
    {
        var options = new SocketKitServerOptions();
        ServerSettingsReader.Read(Configuration(values), options);
        Assert.Empty(options.Problems);
        return options.Settings;
    }

    private static IConfigurationSection Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(Section);
}
