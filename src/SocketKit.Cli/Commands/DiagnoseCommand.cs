using SocketKit.Diagnostics.Diagnose;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit diagnose: every step between a client and a server, checked in order, and one verdict.</summary>
internal static class DiagnoseCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.ProbedHost("The server's host name or IP address.");
        var port = new Argument<int>("PORT")
        {
            Description = "The server's TCP port, 1 to 65535.",
            // A unix: HOST gets a placeholder PORT (UnixHostArguments); HOST's own error says what is wrong.
            CustomParser = result => ValueParsers.HostIsUnix(result) ? 0 : ValueParsers.Port(result, "PORT", 1),
        };
        Option<DiagnoseProtocol> protocol = CommonOptions.Enum("--protocol",
            "What the server should speak: app (one request of the tutorial's protocol; any whole answer passes) or echo (the bytes sent come back) (default app).",
            DiagnoseProtocol.App);
        Option<TimeSpan> connectTimeout = CommonOptions.Duration("--connect-timeout", "The longest to wait for each connect", TimeSpan.FromSeconds(3));
        Option<TimeSpan> timeout = CommonOptions.Duration("--timeout", "The longest to wait for an answer and for a TLS handshake", TimeSpan.FromSeconds(3));
        var tls = new ClientTlsFlags();
        var command = new Command("diagnose", """
            Finds why a client cannot talk to a server. In order: resolves every address of HOST, pings
            each (ICMP, where this user may), connects over TCP to each (refused, timed out, reset, or
            connected in N ms), shakes hands in TLS when asked (version, the certificate's names, its
            expiry, and whether it is trusted, against --tls-ca when given) or when the server turns out
            to speak TLS, sends one probe of the protocol, and lists this machine's listeners on that
            port with their processes. Then one verdict in words, and the next step.
            Exit 0 only when everything worked; 1 otherwise (the verdict says why).

            Examples:
              socketkit diagnose 127.0.0.1 65432
              socketkit diagnose localhost 65432 --tls-ca cert.pem
              socketkit diagnose 127.0.0.1 65432 --protocol echo --json
            """) { host, port, protocol, connectTimeout, timeout };
        tls.AddTo(command);
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, async (result, _, cancellationToken) =>
        {
            var options = new DiagnoseOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                Protocol = result.GetValue(protocol),
                Tls = tls.Read(result),
                ConnectTimeout = result.GetValue(connectTimeout),
                Timeout = result.GetValue(timeout),
            };
            Diagnosis diagnosis = await ConnectionDiagnoser.RunAsync(options, cancellationToken);
            JsonOutput.Write(context, result, DiagnoseResult.Of(diagnosis), new DiagnoseText(), new DiagnoseJson());
            return diagnosis.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
