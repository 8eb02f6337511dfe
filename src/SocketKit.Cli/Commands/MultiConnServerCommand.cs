using SocketKit.Applications.Echo;
using SocketKit.Cli.Serving;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit multiconn-server: the tutorial's multiconn-server.py.</summary>
internal static class MultiConnServerCommand
{
    public static Command Create(CliContext context) =>
        new ServerCommand("multiconn-server", """
            Multi-connection echo server: one thread, non-blocking sockets, a readiness loop.
            The tutorial's multiconn-server.py: a selector tells which sockets are ready; each is served
            without blocking the others. Unlike the reference it sleeps while nothing is ready. With TLS the
            same loop serves TLS, each connection's records handled without blocking the others.

            Example:
              socketkit multiconn-server 127.0.0.1 65432 -v
              socketkit multiconn-server 127.0.0.1 65432 --max-send-buffer-bytes 256KiB --request-timeout 10s
              socketkit multiconn-server 127.0.0.1 65432 --tls-cert cert.pem --tls-key key.pem
            """, ServerSettings.Default with { Loops = 1 })
        .Serves(context, "SocketKit.MultiConnServer", (_, builder, _) => builder.UseHandler(_ => EchoHandler.Shared).Start());
}
