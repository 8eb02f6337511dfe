using SocketKit.Applications.App;
using SocketKit.Hosting;

// A SocketKit server run by the .NET Generic Host. Settings: appsettings.json (found beside the program, wherever it
// is started from), then environment variables (SocketKit__Servers__app__Timeouts__RequestTimeout=30s), then the
// command line. Ctrl+C or SIGTERM drains it; under systemd (Type=notify) it reports READY=1 once every endpoint is
// bound. A wrong setting or an address that cannot be bound is one line, exit 1.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
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
return await builder.Build().RunSocketKitAsync();
