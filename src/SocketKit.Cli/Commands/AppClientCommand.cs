using SocketKit.Applications;
using SocketKit.Applications.App;
using SocketKit.Cli.Output;
using SocketKit.Protocol;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit app-client: the tutorial's app-client.py.</summary>
internal static class AppClientCommand
{
    public static Command Create(CliContext context)
    {
        var server = new ServerAddressArguments(optional: false);
        var action = new Argument<string>("ACTION") { Description = "\"search\" sends a JSON request; any other action sends ACTION+VALUE as binary content." };
        var value = new Argument<string>("VALUE") { Description = "What to search for (morpheus, ring, 🐶), or the rest of the binary content." };
        var jsonRequest = new Option<bool>("--json-request")
        {
            Description = "Send {\"action\": ACTION, \"value\": VALUE} as text/json whatever the action (app-client.py does so only for search): for actions of your own server.",
        };
        var flags = new ClientFlags();
        var command = new Command("app-client", """
            Application client: sends one request of the tutorial's protocol and prints the answer.
            The tutorial's app-client.py: "search VALUE" sends {"action": "search", "value": VALUE} as
            text/json; any other ACTION sends the bytes of ACTION+VALUE as binary content.

            Examples:
              socketkit app-client 127.0.0.1 65432 search morpheus
              socketkit app-client 127.0.0.1 65432 binary 😃
              socketkit app-client 127.0.0.1 65432 reverse stressed --json-request
              socketkit app-client ::1 65432 search ring
              socketkit app-client unix:/tmp/app.sock search morpheus
              socketkit app-client localhost 65432 search morpheus --tls-ca cert.pem
            """);
        server.AddTo(command);
        command.Arguments.Add(action);
        command.Arguments.Add(value);
        command.Options.Add(jsonRequest);
        flags.AddTo(command);
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ClientOptions options = flags.Read(result);
            Message request = result.GetValue(jsonRequest)
                ? AppRequests.Json(result.GetValue(action)!, result.GetValue(value)!)
                : AppRequests.FromCommandLine(result.GetValue(action)!, result.GetValue(value)!);
            ServerAddress address = server.Read(result);
            Message response = await AppClient.RequestAsync(address.Host, address.Port, request, options,
                loggers.CreateLogger("SocketKit.AppClient"), cancellationToken);
            JsonOutput.Write(context, result, new AppClientResult(response), new AppClientText(), new AppClientJson());
            return ExitCodes.Success;
        });
        return command;
    }
}
