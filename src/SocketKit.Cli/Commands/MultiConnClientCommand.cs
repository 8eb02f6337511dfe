using SocketKit.Applications.MultiConn;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit multiconn-client: the tutorial's multiconn-client.py.</summary>
internal static class MultiConnClientCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ServerAddressFlags(optional: true);
        var connections = new Argument<int>("NUM_CONNECTIONS")
        {
            Description = "How many connections to open at once (default 2; at most what the process may open: its descriptor limit less a reserve).",
            DefaultValueFactory = _ => 2,
            // Each connection is a descriptor: the most is what this process may still open (its limit less a reserve).
            CustomParser = r => (int)ValueParsers.Integer(r, "NUM_CONNECTIONS", 1, MultiConnClient.MaxConnections),
        };
        var command = new Command("multiconn-client", """
            Multi-connection client: NUM_CONNECTIONS non-blocking connections on one readiness loop.
            The tutorial's multiconn-client.py: each connection sends "Message 1 from client." and
            "Message 2 from client." and closes once all its bytes have come back.

            With --tls, --tls-ca or --tls-insecure each connection speaks TLS, on the same one-thread loop.

            Examples:
              socketkit multiconn-client 127.0.0.1 65432 2
              socketkit multiconn-client localhost 65432 2 --tls-ca cert.pem
            """);
        server.AddTo(command);
        command.Arguments.Add(connections);
        var flags = new ClientFlags();
        flags.AddTo(command);
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ClientOptions options = flags.Read(result);
            ServerAddress address = server.Read(result);
            IReadOnlyList<MultiConnResult> results = await MultiConnClient.RunAsync(address.Host, address.Port, result.GetValue(connections),
                options: options, logger: loggers.CreateLogger("SocketKit.MultiConnClient"), cancellationToken: cancellationToken);
            JsonOutput.Write(context, result, new MultiConnClientResult(results), new MultiConnClientText(), new MultiConnClientJson());
            if (cancellationToken.IsCancellationRequested)
            {
                // The results above are what came back before Ctrl+C; the run did not fail, it was stopped.
                context.Error.WriteLine($"socketkit: interrupted; {results.Count(r => r.Complete)} of {results.Count} connections had their whole echo back.");
                return ExitCodes.Interrupted;
            }
            int failed = results.Count(r => !r.Complete);
            if (failed > 0)
            {
                context.Error.WriteLine($"socketkit: {failed} of {results.Count} connections did not get their whole echo back");
                // TLS is mentioned only when seen: the server that closed on a plain client completes a TLS handshake.
                if (options.Tls is null && results.Any(r => r.Received.Length == 0 && r.Error?.Contains("closed", StringComparison.Ordinal) == true)
                    && !EndPoints.TryGetUnixPath(address.Host, out _)
                    && await ErrorReporter.SpeaksTlsAsync(new IPEndPoint((await EndPoints.ResolveAsync(address.Host, cancellationToken))[0], address.Port), cancellationToken))
                {
                    context.Error.WriteLine(ErrorReporter.PlainToTls);
                }
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
