using System.Diagnostics;
using SocketKit.Applications.App;
using SocketKit.Protocol;
using SocketKit.Protocol.Python;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit app-client: the tutorial's app-client.py, and what curl adds to a client (content from a file, headers, timing, --fail).</summary>
internal static class AppClientCommand
{

    public static Command Create(CliContext context)
    {
        var server = new ServerAddressFlags(optional: false);
        var action = new Argument<string?>("ACTION") { Description = "\"search\" sends a JSON request; any other action sends ACTION+VALUE as binary content. Leave out ACTION and VALUE with --content-file.", Arity = ArgumentArity.ZeroOrOne };
        var value = new Argument<string?>("VALUE") { Description = "What to search for (morpheus, ring, 🐶), or the rest of the binary content.", Arity = ArgumentArity.ZeroOrOne };
        var jsonRequest = new Option<bool>("--json-request")
        {
            Description = "Send {\"action\": ACTION, \"value\": VALUE} as text/json whatever the action (app-client.py does so only for search): for actions of your own server.",
        };
        var contentFile = new Option<string?>("--content-file")
        {
            Description = "Send this file's bytes as the content, as they are (binary, any size the server takes; - reads standard input), instead of ACTION VALUE.",
            HelpName = "FILE",
            CustomParser = r => ValueParsers.Text(r) == "-" ? "-" : ValueParsers.InputFile(r, "--content-file"),
        };
        var contentType = new Option<string?>("--content-type")
        {
            Description = "With --content-file: the content-type to send (default binary/custom-client-binary-type; text/json is sent as utf-8).",
            HelpName = "TYPE",
        };
        var headers = new Option<string[]>("--header")
        {
            Description = "Add KEY=VALUE to the request's JSON header, as a string (again for more).",
            HelpName = "KEY=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        Option<int> keepAlive = CommonOptions.Integer("--keepalive", "Send the request N times on one connection, with \"keep-alive\": true on all but the last (default 1).", 1, min: 1, max: 100_000);
        var timing = new Option<bool>("--timing") { Description = "Also print when the connect, the TLS handshake, the first byte and the whole answer were done, from the start (curl's -w time_connect, time_appconnect, time_starttransfer, time_total)." };
        var fail = new Option<bool>("--fail") { Description = "Exit 1 also when the server's result is an error (\"Error: ...\"), as curl --fail does on an HTTP error." };
        var flags = new ClientFlags();
        var command = new Command("app-client", """
            Application client: sends one request of the tutorial's protocol and prints the answer.
            The tutorial's app-client.py: "search VALUE" sends {"action": "search", "value": VALUE} as
            text/json; any other ACTION sends the bytes of ACTION+VALUE as binary content.

            The exit status is 0 when the server answered in the protocol, even with an error result
            ("Error: invalid action", as the tutorial); 1 when the answer is not the protocol's (an echo
            server's, or JSON without "result") or, with --fail, when the result is an error.

            Examples:
              socketkit app-client 127.0.0.1 65432 search morpheus
              socketkit app-client 127.0.0.1 65432 binary 😃
              socketkit app-client 127.0.0.1 65432 reverse stressed --json-request
              socketkit app-client 127.0.0.1 65432 --content-file photo.jpg --content-type image/jpeg
              head -c 200000 /dev/urandom | socketkit app-client 127.0.0.1 65432 --content-file -
              socketkit app-client 127.0.0.1 65432 search ring --keepalive 3 --timing --fail
              socketkit app-client 127.0.0.1 65432 search ring --header trace-id=42
              socketkit app-client ::1 65432 search ring
              socketkit app-client unix:/tmp/app.sock search morpheus
              socketkit app-client localhost 65432 search morpheus --tls-ca cert.pem
            """);
        server.AddTo(command);
        command.Arguments.Add(action);
        command.Arguments.Add(value);
        foreach (Option option in (Option[])[jsonRequest, contentFile, contentType, headers, keepAlive, timing, fail])
        {
            command.Options.Add(option);
        }
        flags.AddTo(command);
        command.Options.Add(JsonOutput.Option);
        command.Validators.Add(result =>
        {
            if (ValueParsers.HasValuelessOption(result))
            {
                return;
            }
            bool fromFile = result.GetValue(contentFile) is not null;
            bool hasAction = result.GetValue(action) is not null, hasValue = result.GetValue(value) is not null;
            if (fromFile && (hasAction || hasValue))
            {
                result.AddError("--content-file is the content: leave out ACTION and VALUE.");
            }
            // Without HOST and PORT the parser's own "missing ..." says what is needed.
            else if (!fromFile && !(hasAction && hasValue) && result.Tokens.Count(t => t.Type == System.CommandLine.Parsing.TokenType.Argument) >= 2)
            {
                result.AddError(hasAction ? "app-client needs a VALUE after ACTION." : "app-client needs ACTION VALUE (search morpheus), or --content-file FILE.");
            }
            if (!fromFile && result.GetValue(contentType) is not null)
            {
                result.AddError("--content-type goes with --content-file (ACTION VALUE chooses its own type).");
            }
            if (fromFile && result.GetValue(jsonRequest))
            {
                result.AddError("--json-request builds the content from ACTION VALUE: it does not go with --content-file.");
            }
            foreach (string header in result.GetValue(headers) ?? [])
            {
                if (HeaderEntry(header) is null)
                {
                    result.AddError($"{ValueParsers.Shown(header)} is not a header entry for --header: use KEY=VALUE, with a KEY that is not one of the protocol's own.");
                }
            }
        });
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ClientOptions options = flags.Read(result);
            Message request = await BuildRequestAsync(context, result.GetValue(contentFile), result.GetValue(contentType), result.GetValue(action), result.GetValue(value),
                result.GetValue(jsonRequest), cancellationToken);
            KeyValuePair<string, string>[] extra = [.. (result.GetValue(headers) ?? []).Select(h => HeaderEntry(h)!.Value)];
            request = request with { Header = request.Header with { Extra = extra } };
            ServerAddress address = server.Read(result);
            int count = result.GetValue(keepAlive);
            bool timed = result.GetValue(timing);
            long start = Stopwatch.GetTimestamp();
            await using AppClient client = await AppClient.ConnectAsync(address.Host, address.Port, options, loggers.CreateLogger("SocketKit.AppClient"), cancellationToken: cancellationToken);
            for (int i = 1; i <= count; i++)
            {
                bool last = i == count;
                Message response = await client.SendAsync(request with { Header = request.Header with { KeepAlive = !last } }, cancellationToken);
                AppClientTiming? times = null;
                if (timed)
                {
                    TimeSpan total = Stopwatch.GetElapsedTime(start);
                    times = new AppClientTiming(client.ConnectTime, client.TlsTime is { } tls ? client.ConnectTime + tls : null,
                        total - (client.ExchangeTime - client.FirstByteTime), total);
                }
                JsonOutput.Write(context, result, new AppClientResult(response, times), new AppClientText(), new AppClientJson());
                if (NotTheProtocol(request, response) is { } why)
                {
                    context.Error.WriteLine($"socketkit: the answer from {client.Remote} is not the application protocol: {why}.");
                    context.Error.WriteLine("  Is it an app-server? An echo server sends the request back; `socketkit nc --hex` shows what the server says.");
                    return ExitCodes.Failure;
                }
                if (result.GetValue(fail) && ErrorResult(response) is { } error)
                {
                    context.Error.WriteLine($"socketkit: the server answered with an error (--fail): {error}");
                    return ExitCodes.Failure;
                }
                if (!last && client.ClosedByServer)
                {
                    context.Error.WriteLine($"socketkit: the server does not keep connections alive: it answered request {i} of {count} without \"keep-alive\": true and closes the connection; leave out --keepalive, or run a server that grants it.");
                    return ExitCodes.Failure;
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<Message> BuildRequestAsync(CliContext context, string? contentFile, string? contentType, string? action, string? value, bool jsonRequest,
        CancellationToken cancellationToken)
    {
        if (contentFile is null)
        {
            return jsonRequest ? AppRequests.Json(action!, value!) : AppRequests.FromCommandLine(action!, value!);
        }
        byte[] content;
        if (contentFile == "-")
        {
            await using Stream input = context.OpenInput();
            using var all = new MemoryStream();
            await input.CopyToAsync(all, cancellationToken);
            content = all.ToArray();
        }
        else
        {
            content = await File.ReadAllBytesAsync(contentFile, cancellationToken);
        }
        string type = contentType ?? ContentTypes.ClientBinary;
        string encoding = type == ContentTypes.TextJson ? ContentTypes.Utf8Encoding : ContentTypes.BinaryEncoding;
        return new Message(new MessageHeader(type, encoding, content.Length), content);
    }

    private static readonly string[] ProtocolKeys = ["byteorder", "content-type", "content-encoding", "content-length", "keep-alive"];

    /// <summary>KEY=VALUE as a header entry; null when it is not one (no '=', an empty key, or one of the protocol's keys).</summary>
    private static KeyValuePair<string, string>? HeaderEntry(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || ProtocolKeys.Contains(text[..equals], StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }
        return new(text[..equals], text[(equals + 1)..]);
    }

    /// <summary>Why a response is not an application server's answer to <paramref name="request"/>; null when it is one.</summary>
    private static string? NotTheProtocol(Message request, Message response)
    {
        if (response.Header.ContentType == request.Header.ContentType && response.Content.Span.SequenceEqual(request.Content.Span))
        {
            return "it is the request itself, sent back (an echo server answers so)";
        }
        if (!response.Header.IsJson)
        {
            return null;
        }
        // Read as app-client.py reads it (Python's json: NaN and all), in the response's own encoding.
        try
        {
            PythonValue content = JsonContent.ParsePython(response.Content.Span, response.Header.ContentEncoding);
            return content.Kind == PythonValueKind.Dict && content.Get("result") is not null ? null : "its JSON content has no \"result\"";
        }
        catch (Exception ex) when (ex is ProtocolException or ArgumentException or DecoderFallbackException)
        {
            return "its content is not the JSON its header says";
        }
    }

    /// <summary>The result when it is an error ("Error: ..."), as the tutorial's server answers a wrong request; null otherwise.</summary>
    private static string? ErrorResult(Message response)
    {
        if (!response.Header.IsJson)
        {
            return null;
        }
        PythonValue content = JsonContent.ParsePython(response.Content.Span, response.Header.ContentEncoding);
        return content.Kind == PythonValueKind.Dict && content.Get("result")?.AsString is { } text && text.StartsWith("Error:", StringComparison.Ordinal) ? text : null;
    }
}
