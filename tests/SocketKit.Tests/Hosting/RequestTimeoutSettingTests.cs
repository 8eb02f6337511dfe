using Microsoft.Extensions.Configuration;
using SocketKit.Hosting;

namespace SocketKit.Tests.Hosting;

/// <summary>Timeouts:RequestTimeout, and HeaderTimeout, its former name, which configuration written before still says.</summary>
[Tier(TestTier.Unit)]
public sealed class RequestTimeoutSettingTests
{
    private const string Key = "SocketKit:Servers:app";
    private const string FormerName = "HeaderTimeout"; // RequestTimeout's former name.

    private static (ServerPlan? Plan, List<string> Errors) Plan(Dictionary<string, string?> settings)
    {
        settings[$"{Key}:Endpoints:0"] = "127.0.0.1:0";
        var options = new SocketKitServerOptions();
        IConfigurationSection section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(Key);
        section.Bind(options);
        ServerSettingsReader.Read(section, options);
        var errors = new List<string>();
        return (ServerPlan.TryBuild("app", options, errors), errors);
    }

    [Theory]
    [InlineData("RequestTimeout")]
    [InlineData(FormerName)]
    public void EitherNameSetsTheRequestTimeout(string name)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(7);
        (ServerPlan? plan, List<string> errors) = Plan(new() { [$"{Key}:Timeouts:{name}"] = timeout.ToString() });
        Assert.Empty(errors);
        Assert.Equal(timeout, plan!.Template.Timeouts.RequestTimeout);
    }

    [Fact]
    public void BothNamesWithTheSameValueAreOne()
    {
        (ServerPlan? plan, List<string> errors) = Plan(new() { [$"{Key}:Timeouts:RequestTimeout"] = "00:00:07", [$"{Key}:Timeouts:{FormerName}"] = "00:00:07" });
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(7), plan!.Template.Timeouts.RequestTimeout);
    }

    [Fact]
    public void BothNamesWithDifferentValuesAreAnErrorNamingBoth()
    {
        (_, List<string> errors) = Plan(new() { [$"{Key}:Timeouts:RequestTimeout"] = "00:00:07", [$"{Key}:Timeouts:{FormerName}"] = "00:00:09" });
        string error = Assert.Single(errors);
        Assert.Contains($"{Key}:Timeouts:{FormerName}", error);
        Assert.Contains($"{Key}:Timeouts:RequestTimeout", error);
    }

    [Fact]
    public void ABadValueUnderTheFormerNameIsReportedUnderThatName()
    {
        (_, List<string> errors) = Plan(new() { [$"{Key}:Timeouts:{FormerName}"] = "-00:00:01" });
        Assert.Equal([$"{Key}:Timeouts:{FormerName}: -00:00:01 must be a positive duration"], errors);
    }
}
