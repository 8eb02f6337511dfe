using SocketKit.Diagnostics.Netcat;
using SocketKit.Transport.Tls;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit nc: ncat's raw mode, standard input to a socket and the socket to standard output, byte for byte.</summary>
internal static class NcCommand
{
    public static Command Create(CliContext context)
    {
        var first = new Argument<string?>("HOST") { Description = "The host to connect to (a name, an IP address, or unix:PATH, which takes no PORT); with -l, the address to listen on (default 0.0.0.0).", Arity = ArgumentArity.ZeroOrOne };
        var second = new Argument<string?>("PORT") { Description = "The TCP port; with -l, 0 lets the system pick one (it is said on standard error).", Arity = ArgumentArity.ZeroOrOne };
        var listen = new Option<bool>("--listen", "-l") { Description = "Listen, accept one connection, relay it, and exit (ncat -l)." };
        var hex = new Option<bool>("--hex") { Description = "Also dump both directions on standard error as hexdump -C does: \"> sent N bytes\" and \"< received N bytes\", each followed by its bytes." };
        Option<TimeSpan> connectTimeout = CommonOptions.ConnectTimeout();
        var clientTls = new ClientTlsFlags(withClientCertificate: false); // --tls-cert and --tls-key serve TLS with -l.
        var serverTls = new ServerTlsFlags();
        var command = new Command("nc", """
            Netcat, as ncat: connects (or with -l, listens and accepts one connection), then copies standard
            input to the socket and the socket to standard output, byte for byte (NUL bytes and all). At the
            end of standard input it half-closes the connection (TLS: close_notify, then FIN) and reads on
            until the peer closes. Exit status as ncat's: 0 when the peer closed after the exchange, 1 on a
            network error (refused, reset, a failed handshake: said in words), 2 on a wrong command line.

            Connecting takes the clients' TLS options (--tls, --tls-insecure, --tls-ca) and unix:PATH;
            listening takes the servers' (--tls-cert, --tls-key).

            Examples:
              socketkit nc 127.0.0.1 65432 < request.bin > response.bin
              printf 'Hello, world' | socketkit nc 127.0.0.1 65432
              socketkit nc unix:/tmp/echo.sock --hex < /dev/null
              socketkit nc localhost 65432 --tls-ca cert.pem
              socketkit nc -l 127.0.0.1 65432 > received.bin
              socketkit nc -l 65432 --tls-cert cert.pem --tls-key key.pem
            """);
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        command.Options.Add(listen);
        command.Options.Add(hex);
        command.Options.Add(connectTimeout);
        clientTls.AddTo(command);
        serverTls.AddTo(command);
        command.Validators.Add(result =>
        {
            if (ValueParsers.HasValuelessOption(result))
            {
                return;
            }
            if (Target(result.GetValue(first), result.GetValue(second), result.GetValue(listen)) is { Error: { } error })
            {
                result.AddError(error);
            }
            bool listening = result.GetValue(listen);
            string[] client = ["--tls", "--tls-insecure", "--tls-ca"];
            string[] server = ["--tls-cert", "--tls-key"];
            foreach (string name in listening ? client : server)
            {
                if (result.Children.OfType<System.CommandLine.Parsing.OptionResult>().Any(o => o.Option.Name == name && !o.Implicit))
                {
                    result.AddError(listening
                        ? $"{name} is a connecting option: with -l, serve TLS with --tls-cert and --tls-key."
                        : $"{name} is a listening option: give -l to listen, or --tls / --tls-ca to connect over TLS.");
                }
            }
        });
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            bool listening = result.GetValue(listen);
            (string host, int port, _) = Target(result.GetValue(first), result.GetValue(second), listening);
            bool quiet = result.GetValue(CommonOptions.Quiet);
            NetcatConnection connection;
            if (listening)
            {
                EndPoint endPoint = await EndPoints.ResolveListenAsync(host, port, cancellationToken);
                TlsServerOptions? tls = serverTls.Read(result);
                connection = await NetcatConnection.AcceptAsync(endPoint, tls,
                    where => Say(context, quiet, $"Listening on {EndPoints.Format(where)}{(tls is null ? "" : " (TLS)")}"), cancellationToken);
                Say(context, quiet, $"Connection from {connection.Remote}");
            }
            else
            {
                var options = new ClientOptions { ConnectTimeout = result.GetValue(connectTimeout), Tls = clientTls.Read(result) };
                connection = await NetcatConnection.ConnectAsync(host, port, options, cancellationToken);
                Say(context, quiet, $"Connected to {connection.Remote}{(connection.Tls ? " (TLS)" : "")}");
            }
            await using (connection)
            {
                Action<NetcatDirection, long, ReadOnlyMemory<byte>>? tap = result.GetValue(hex)
                    ? (direction, offset, bytes) => context.WriteEvent(
                        (direction == NetcatDirection.Sent ? $"> sent {bytes.Length:N0} bytes\n" : $"< received {bytes.Length:N0} bytes\n")
                        + HexDump.Format(bytes.Span, offset).TrimEnd('\n'))
                    : null;
                await using Stream input = context.OpenInput();
                await using Stream output = context.OpenOutput();
                NetcatResult moved = await connection.RelayAsync(input, output, tap, cancellationToken);
                Say(context, quiet, $"{moved.Sent:N0} bytes sent, {moved.Received:N0} received; {connection.Remote} closed the connection");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Say(CliContext context, bool quiet, string line)
    {
        if (!quiet)
        {
            context.WriteEvent(line);
        }
    }

    /// <summary>
    /// HOST and PORT as ncat reads them: HOST PORT or unix:PATH to connect; PORT, HOST PORT or unix:PATH to listen.
    /// </summary>
    private static (string Host, int Port, string? Error) Target(string? first, string? second, bool listen)
    {
        if (first is null)
        {
            return ("", 0, listen ? "nc -l needs a PORT (or unix:PATH) to listen on." : "nc needs a HOST and a PORT to connect to (or unix:PATH).");
        }
        if (EndPoints.TryGetUnixPath(first, out _))
        {
            // The parser puts a placeholder PORT after a Unix socket's HOST (UnixHostArguments); a PORT typed after it is an unexpected argument.
            return second is null or UnixHostArguments.PortPlaceholder ? (first, 0, null) : ("", 0, $"{first} is a Unix socket: it takes no PORT, but {second} was given.");
        }
        if (ValueParsers.HostWithPort(first) is ({ } inOneHost, { } inOnePort))
        {
            // As every command that takes a HOST says it.
            return ("", 0, $"{ValueParsers.Shown(first)} {ValueParsers.HostAndPortInOne}: give them as two, HOST then PORT ({inOneHost} {inOnePort}).");
        }
        (string host, string? portText) = second is null && listen ? ("0.0.0.0", first) : (first, second);
        if (portText is null)
        {
            return ("", 0, $"nc needs a PORT after {first} (or unix:PATH instead of both).");
        }
        int min = listen ? 0 : 1;
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < min || port > 65535)
        {
            return ("", 0, $"{ValueParsers.Shown(portText)} is not a port {(listen ? "to listen on: use 0 (the system picks) to 65535" : "to connect to: use 1 to 65535")}.");
        }
        if (!EndPoints.IsValidHost(host))
        {
            return ("", 0, $"{ValueParsers.Shown(host)} is not a host name or an IP address.");
        }
        return (host, port, null);
    }
}
