using SocketKit.Applications.Echo;
using SocketKit.Protocol.Python;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit echo-client: the tutorial's echo-client.py.</summary>
internal static class EchoClientCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ServerAddressFlags(optional: true);
        var message = new Argument<string>("MESSAGE") { Description = "What to send (default \"Hello, world\").", DefaultValueFactory = _ => "Hello, world" };
        var flags = new ClientFlags();
        var command = new Command("echo-client", """
            Echo client: sends a message, reads until the whole echo is back, prints it.
            The tutorial's echo-client.py, with blocking sockets; unlike it, reads until every byte has
            come back rather than trusting one recv.

            Examples:
              socketkit echo-client 127.0.0.1 65432 "Hello, world"
              socketkit echo-client ::1 65432
              socketkit echo-client unix:/tmp/echo.sock "Hello, world"
              socketkit echo-client localhost 65432 --tls-ca cert.pem
            """);
        server.AddTo(command);
        command.Arguments.Add(message);
        flags.AddTo(command);
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ClientOptions options = flags.Read(result);
            byte[] sent = Encoding.UTF8.GetBytes(result.GetValue(message)!);
            ServerAddress address = server.Read(result);
            byte[] echo = await EchoClient.EchoAsync(address.Host, address.Port, sent,
                options, loggers.CreateLogger("SocketKit.EchoClient"), cancellationToken);
            var outcome = new EchoClientResult(sent, echo);
            JsonOutput.Write(context, result, outcome, new EchoClientText(), new EchoClientJson());
            if (outcome.FirstDifference is int differs and >= 0)
            {
                // The server answered, but not with an echo: an app server, or a proxy that rewrites.
                context.Error.WriteLine($"socketkit: the echo differs from what was sent, from byte {differs} on: sent {PythonBytes.Repr(sent.AsSpan(differs), 24)}, received {PythonBytes.Repr(echo.AsSpan(differs), 24)}.");
                context.Error.WriteLine("  Is it an echo server? An app-server answers in the framed protocol (socketkit app-client), not with the bytes sent.");
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
