using Microsoft.Extensions.Options;
using SocketKit.Applications.App;
using SocketKit.Hosting;
using SocketKit.Transport;

// A SocketKit server run by the .NET Generic Host. Settings: appsettings.json, then environment variables
// (SocketKit__Servers__app__Endpoints__0=[::1]:7000), then the command line. Ctrl+C or SIGTERM drains it;
// under systemd (Type=notify) it reports READY=1 once every endpoint is bound.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSystemd();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSocketKitServer("app")
    // A handler that awaits, with services from dependency injection as minimal APIs take them. The token is cancelled
    // when the client goes away, the handler timeout runs out, or the server stops.
    .MapAction("hello", async (AppRequest request, TimeProvider clock, CancellationToken cancel) =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1), clock, cancel); // Where your database or HTTP call goes.
        return $"Hello, {request.Value?.GetString() ?? "world"}!";
    });
try
{
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OptionsValidationException or NetworkException)
{
    // Wrong settings or an address that cannot be bound: say so in one line, not a stack trace.
    Console.Error.WriteLine($"{AppDomain.CurrentDomain.FriendlyName}: {ex.Message}");
    return 1;
}
