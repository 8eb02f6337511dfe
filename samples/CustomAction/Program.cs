using System.Net;
using System.Text.Json;
using SocketKit.Applications.App;
using SocketKit.Protocol;
using SocketKit.Transport;

// The tutorial's app server (search, binary reply) plus an action of our own: "reverse".
int port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 65432;
await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port) })
    .MapAction("reverse", request => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray())))
    .Start();
Console.WriteLine($"Listening on {server.LocalEndPoint}");

// Ask it as any client of the protocol would: connect, send, await the response.
Message answer = await AppClient.RequestAsync("127.0.0.1", ((IPEndPoint)server.LocalEndPoint).Port, AppRequests.Json("reverse", "stressed"));
using JsonDocument reply = JsonContent.Parse(answer.Content, answer.Header.ContentEncoding);
Console.WriteLine($"reverse stressed -> {reply.RootElement.GetProperty("result")}");
await server.Completion; // Serves until Ctrl+C.
