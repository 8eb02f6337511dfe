using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketKit.Metrics;

namespace SocketKit.Hosting;

/// <summary>Registers SocketKit servers with a .NET host (<c>Host.CreateApplicationBuilder</c>).</summary>
public static class SocketKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds a server named <paramref name="name"/>, run by the host as an <see cref="IHostedService"/>: its settings are
    /// bound from configuration section <c>SocketKit:Servers:NAME</c> and checked when the host starts; it logs through
    /// the host's loggers (category <c>SocketKit.Servers.NAME</c>), records the "SocketKit.Server" meter through the host's
    /// <see cref="IMeterFactory"/>, is ready (so <c>UseSystemd()</c> signals READY=1) once every endpoint is bound, drains
    /// within the host's shutdown timeout, and reports listening / draining / stopped as the health check
    /// <c>socketkit:NAME</c>. By default it serves the application protocol; see <see cref="SocketKitServerBuilder"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
    /// builder.Services.AddSocketKitServer("app")
    ///     .MapAction("reverse", request => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray())));
    /// return await builder.Build().RunSocketKitAsync();
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException">The name is empty, or a server of that name is already registered.</exception>
    public static SocketKitServerBuilder AddSocketKitServer(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(SocketKitHostedServer) && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"A SocketKit server named '{name}' is already registered; give each server its own name.", nameof(name));
        }
        var builder = new SocketKitServerBuilder(services, name);

        string section = $"{SocketKitServerOptions.SectionName}:{name}";
        services.AddOptions<SocketKitServerOptions>(name)
            .BindConfiguration(section) // Endpoints and Tls: text the binder cannot fail on.
            .Configure<IConfiguration>((options, configuration) => ServerSettingsReader.Read(configuration.GetSection(section), options))
            .ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(SocketKitStartFailures)))
        {
            var failures = new SocketKitStartFailures();
            services.AddSingleton(failures);
            // The host logs a service that fails to start with its stack trace ("Hosting failed to start"); a server that
            // cannot bind is said in one line instead (RunSocketKitAsync), unless the log level asks for the trace.
            services.Configure<LoggerFilterOptions>(o => o.AddFilter(SocketKitStartFailures.HostCategory, failures.ShowsHostLog));
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocketKitServerOptions>, SocketKitServerOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(provider => new SocketKitMetrics(provider.GetRequiredService<IMeterFactory>()));

        services.AddKeyedSingleton(name, (provider, _) => new SocketKitHostedServer(
            name,
            builder,
            provider,
            provider.GetRequiredService<IOptionsMonitor<SocketKitServerOptions>>(),
            provider.GetRequiredService<IOptions<HostOptions>>(),
            provider.GetRequiredService<SocketKitStartFailures>(),
            provider.GetRequiredService<SocketKitMetrics>(),
            provider.GetRequiredService<ILoggerFactory>()));
        // Not AddHostedService: it registers one service per implementation type, and each server needs its own.
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<SocketKitHostedServer>(name));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"socketkit:{name}",
            provider => new SocketKitServerHealthCheck(provider.GetRequiredKeyedService<SocketKitHostedServer>(name)),
            failureStatus: null,
            tags: ["socketkit"]));
        return builder;
    }
}
