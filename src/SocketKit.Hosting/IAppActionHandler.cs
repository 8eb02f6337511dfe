using SocketKit.Applications.App;

namespace SocketKit.Hosting;

/// <summary>
/// A handler class for one action, resolved from a dependency-injection scope made for each request (so it may take
/// scoped services in its constructor, as an ASP.NET Core controller does). Map it with
/// <see cref="SocketKitServerBuilder.MapAction{THandler}(string)"/>.
/// </summary>
public interface IAppActionHandler
{
    /// <summary>Answers one request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancel">Cancelled when the client goes away, the handler timeout runs out, or the server's drain ends.</param>
    ValueTask<AppResponse> HandleAsync(AppRequest request, CancellationToken cancel);
}
