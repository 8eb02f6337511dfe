namespace SocketKit.Tests.Support;

/// <summary>Servers on port 0 (127.0.0.1 unless a transport says otherwise); the port is read back from the bound socket.</summary>
public static class TestServers
{
    /// <summary>Every engine, for theories that run on each.</summary>
    public static TheoryData<EngineKind> Engines => [.. Enum.GetValues<EngineKind>()];

    /// <summary>Every engine by the name <c>--engine</c> takes, for theories that run the CLI on each.</summary>
    public static TheoryData<string> EngineNames => [.. Enum.GetValues<EngineKind>().Select(engine => engine.ToString().ToLowerInvariant())];

    public static SocketServer Echo(EngineKind engine, TestTransport? transport = null) =>
        SocketServer.Start(Options(engine, transport), _ => new EchoHandler());

    public static SocketServer App(EngineKind engine, AppRouter? router = null, TestTransport? transport = null)
    {
        router ??= TutorialHandlers.CreateRouter();
        return SocketServer.Start(Options(engine, transport), connection => new AppServerHandler(router, connection));
    }

    /// <summary>Where and how a server of <paramref name="transport"/> listens (IPv4 loopback when none is given).</summary>
    public static ServerOptions Options(EngineKind engine, TestTransport? transport = null)
    {
        transport ??= TestTransport.Ipv4;
        return new ServerOptions { EndPoint = transport.ListenEndPoint(), Engine = engine, Tls = transport.ServerTls };
    }

    /// <summary>The bound port; 0 for a Unix socket, which has none (clients then ignore it).</summary>
    public static int Port(this SocketServer server) => server.LocalEndPoint is IPEndPoint ip ? ip.Port : 0;
}
