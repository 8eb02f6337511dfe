using System.Net;
using SocketKit.Applications.App;
using SocketKit.Applications.Echo;
using SocketKit.Transport;

namespace SocketKit.Tests.Support;

/// <summary>Servers on 127.0.0.1 port 0; the port is read back from the bound socket.</summary>
public static class TestServers
{
    public static SocketServer Echo(EngineKind engine) =>
        SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine }, _ => new EchoHandler());

    public static SocketServer App(EngineKind engine, AppRouter? router = null)
    {
        router ??= TutorialHandlers.CreateRouter();
        return SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine },
            connection => new AppServerHandler(router, connection));
    }

    public static int Port(this SocketServer server) => ((IPEndPoint)server.LocalEndPoint).Port;
}
