using Microsoft.Extensions.Options;

namespace SocketKit.Hosting;

/// <summary>
/// Checks a server's settings when the host starts (registered with ValidateOnStart), so a wrong endpoint, engine,
/// limit or certificate stops the host with every problem and its configuration key, before anything is bound.
/// </summary>
internal sealed class SocketKitServerOptionsValidator : IValidateOptions<SocketKitServerOptions>
{
    public ValidateOptionsResult Validate(string? name, SocketKitServerOptions options)
    {
        var errors = new List<string>();
        return ServerPlan.TryBuild(name ?? Options.DefaultName, options, errors) is null
            ? ValidateOptionsResult.Fail(errors)
            : ValidateOptionsResult.Success;
    }
}
