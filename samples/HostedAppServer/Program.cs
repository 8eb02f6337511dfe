using Microsoft.Extensions.Hosting;
using SocketKit.Applications.App;
using SocketKit.Hosting;

// The tutorial's app server plus a "reverse" action, run by the Generic Host: settings from appsettings.json (found
// beside the program, wherever it is started from), then environment variables
// (SocketKit__Servers__app__Timeouts__RequestTimeout=30s), then the command line
// (--SocketKit:Servers:app:Engine=select). Ctrl+C or SIGTERM drains it; under systemd (Type=notify) it reports
// READY=1 once every endpoint is bound. A wrong setting or an address that cannot be bound is one line, exit 1.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSystemd();
builder.Services.AddSocketKitServer("app")
    .MapAction("reverse", request => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray())));
return await builder.Build().RunSocketKitAsync();
