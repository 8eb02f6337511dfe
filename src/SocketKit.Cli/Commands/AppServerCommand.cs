using SocketKit.Applications.App;
using SocketKit.Cli.Serving;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit app-server: the tutorial's app-server.py.</summary>
internal static class AppServerCommand
{
    public static Command Create(CliContext context) =>
        new ServerCommand("app-server", """
            Application server: the framed protocol of the tutorial's app-server.py.
            Answers "search" requests from the tutorial's table (morpheus, ring, 🐶), other actions with
            "Error: invalid action", and binary requests with their first 10 bytes; then closes, as the
            reference does (a request with "keep-alive": true keeps the connection open).

            Examples:
              socketkit app-server 127.0.0.1 65432
              socketkit app-server 127.0.0.1 65432 --workers 2 --proxy-protocol   # behind HAProxy or nginx
              socketkit app-server 127.0.0.1 65432 --metrics --metrics-interval 10s --log-format json
              socketkit app-server 127.0.0.1 65432 --max-content-bytes 64KiB --request-timeout 5s --drain-timeout 10s
              socketkit app-server :: 65432                    (IPv6 and IPv4)
              socketkit app-server unix:/tmp/app.sock
              socketkit app-server 127.0.0.1 65432 --tls-cert cert.pem --tls-key key.pem

            A malformed request gets {"result": "Error: ..."} saying what was wrong, then the server closes that
            connection only. Ctrl+C or SIGTERM stop accepting, let requests in flight finish (up to
            --drain-timeout), then exit 0.
            """, ServerSettings.Default)
        .Serves(context, "SocketKit.AppServer", (_, server, limits) => new AppServer(server, limits).Start());
}
