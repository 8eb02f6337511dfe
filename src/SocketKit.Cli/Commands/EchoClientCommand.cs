using System.CommandLine;
using System.Text;
using SocketKit.Applications;
using SocketKit.Applications.Echo;
using SocketKit.Cli.Infrastructure;
using SocketKit.Diagnostics;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit echo-client: the tutorial's echo-client.py.</summary>
internal static class EchoClientCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.Host(client: true);
        Argument<int> port = CommonOptions.Port(client: true);
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
            """) { host, port, message };
        flags.AddTo(command);
        Option<bool> json = JsonOutput.Option();
        command.Options.Add(json);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ClientOptions options = flags.Read(result);
            byte[] echo = await EchoClient.EchoAsync(result.GetValue(host)!, result.GetValue(port), Encoding.UTF8.GetBytes(result.GetValue(message)!),
                options, loggers.CreateLogger("SocketKit.EchoClient"), cancellationToken);
            if (result.GetValue(json))
            {
                JsonOutput.WriteResult(context, w =>
                {
                    w.WriteNumber("received_bytes", echo.Length);
                    w.WriteString("received", PythonBytes.Repr(echo));
                    w.WriteString("received_base64", Convert.ToBase64String(echo));
                });
            }
            else
            {
                context.WriteResult($"Received {PythonBytes.Repr(echo)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
