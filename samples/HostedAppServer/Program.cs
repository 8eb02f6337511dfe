using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketKit.Applications.App;
using SocketKit.Hosting;

// The tutorial's app server plus a "reverse" action, run by the Generic Host: settings from appsettings.json,
// then environment variables (SocketKit__Servers__app__Endpoints__0=[::1]:7000), then the command line
// (--SocketKit:Servers:app:Engine=select). Ctrl+C or SIGTERM drains it; under systemd (Type=notify) it reports
// READY=1 once every endpoint is bound.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSystemd();
builder.Services.AddSocketKitServer("app")
    .MapAction("reverse", request => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray())));
await builder.Build().RunAsync();
