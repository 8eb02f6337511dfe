using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SocketKit.Hosting;

/// <summary>
/// A hosted server's health: healthy while listening, degraded while draining (a balancer should stop sending it
/// new connections), unhealthy before it starts and once it has stopped.
/// </summary>
public sealed class SocketKitServerHealthCheck(SocketKitHostedServer server) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["state"] = server.State.ToString().ToLowerInvariant(),
            ["connections"] = server.ConnectionsOpen,
        };
        string where = string.Join(", ", server.LocalEndPoints.Select(Transport.Listening.EndPoints.Format));
        return Task.FromResult(server.State switch
        {
            SocketKitServerState.Listening => HealthCheckResult.Healthy($"listening on {where}", data),
            SocketKitServerState.Draining => HealthCheckResult.Degraded($"draining: {server.ConnectionsOpen} connection(s) still open", data: data),
            SocketKitServerState.Stopped => HealthCheckResult.Unhealthy("stopped", data: data),
            _ => HealthCheckResult.Unhealthy("not started", data: data),
        });
    }
}
