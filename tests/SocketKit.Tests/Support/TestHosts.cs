using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SocketKit.Tests.Support;

/// <summary>Generic Hosts for the hosting tests, configured by the test alone.</summary>
public static class TestHosts
{
    /// <summary>
    /// A host with no defaults: the test's <paramref name="settings"/> only, not appsettings.json files or the machine's
    /// environment; the logging section as the host reads it, at its default level (Information) unless the settings
    /// say otherwise; every line it lets through given to each of <paramref name="logs"/>.
    /// </summary>
    public static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection> register, params ILoggerProvider[] logs)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        foreach (ILoggerProvider log in logs)
        {
            builder.Logging.AddProvider(log);
        }
        register(builder.Services);
        return builder.Build();
    }

    /// <summary><see cref="Build(Dictionary{string, string?}, Action{IServiceCollection}, ILoggerProvider[])"/>, with the lines at Information and above kept in <paramref name="log"/>.</summary>
    public static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection> register, out LogCapture log) =>
        Build(settings, register, log = new LogCapture());
}
