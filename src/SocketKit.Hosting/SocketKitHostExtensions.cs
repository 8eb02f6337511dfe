using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SocketKit.Hosting;

/// <summary>Runs a host with SocketKit servers as a program should: every problem in words, one line each, and an exit code.</summary>
public static class SocketKitHostExtensions
{
    /// <summary>
    /// Checks every SocketKit server's settings, then runs the host until it stops (Ctrl+C, SIGTERM). Returns the
    /// program's exit code: 0 after a clean stop; 1 when a setting is wrong, an endpoint is missing, or an endpoint
    /// cannot be bound, each problem written to <paramref name="error"/> (default stderr) as one line naming its
    /// configuration key, with no stack trace (set the log level to Debug for one).
    /// </summary>
    /// <example><code>return await builder.Build().RunSocketKitAsync();</code></example>
    public static async Task<int> RunSocketKitAsync(this IHost host, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        error ??= Console.Error;
        string program = AppDomain.CurrentDomain.FriendlyName;
        var problems = new List<string>();
        // Resolved now: RunAsync disposes the host's services when it fails.
        SocketKitStartFailures? failures = host.Services.GetService<SocketKitStartFailures>();
        try
        {
            // Every server's problems at once, before the host starts and reports the first failure with its stack.
            foreach (SocketKitHostedServer server in host.Services.GetServices<IHostedService>().OfType<SocketKitHostedServer>())
            {
                server.Check(problems);
            }
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            problems.Add(ex.Message); // Configuration's binder names the key (a setting of an options class of the application's).
        }
        if (problems.Count == 0)
        {
            try
            {
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (Exception ex) when (Problems(ex, failures) is { Count: > 0 } found)
            {
                problems.AddRange(found);
            }
        }
        foreach (string problem in problems)
        {
            error.WriteLine($"{program}: {problem}");
        }
        return 1;
    }

    private static List<string> Problems(Exception ex, SocketKitStartFailures? failures)
    {
        var lines = new List<string>(failures?.Lines ?? []);
        if (lines.Count == 0)
        {
            IEnumerable<Exception> all = ex is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [ex];
            lines.AddRange(all.OfType<OptionsValidationException>().SelectMany(v => v.Failures));
            if (lines.Count < all.Count())
            {
                return []; // Something else failed too: not ours to shorten.
            }
        }
        return lines;
    }
}
