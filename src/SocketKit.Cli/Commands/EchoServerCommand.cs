using SocketKit.Applications.Echo;
using SocketKit.Cli.Serving;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit echo-server: the tutorial's echo-server.py.</summary>
internal static class EchoServerCommand
{
    public static Command Create(CliContext context)
    {
        var once = new Option<bool>("--once") { Description = "Serve one connection, then exit (as echo-server.py does)." };
        var server = new ServerCommand("echo-server", """
            Echo server: sends back every byte it receives until the client closes.
            The tutorial's echo-server.py (its blocking sockets: --engine blocking). Serves connection after
            connection until Ctrl+C (--once: one connection, then exit).

            Examples:
              socketkit echo-server 127.0.0.1 65432
              socketkit echo-server 127.0.0.1 65432 --max-connections 100 --idle-timeout 30s
              socketkit echo-server ::1 65432
              socketkit echo-server unix:/tmp/echo.sock
              socketkit echo-server 127.0.0.1 65432 --tls-cert cert.pem --tls-key key.pem
            """, ServerSettings.Default, once);
        server.Command.Validators.Add(result =>
        {
            if (result.GetValue(once) && server.Settings.Read(result).Workers > 1)
            {
                result.AddError("--once serves one connection, so it takes one worker: drop --workers or --once.");
            }
        });
        return server.Serves(context, "SocketKit.EchoServer", (result, builder, _) => builder
            .Configure(options => options with { StopAfterConnections = result.GetValue(once) ? 1 : null })
            .UseHandler(_ => EchoHandler.Shared)
            .Start());
    }
}
