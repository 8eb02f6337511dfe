using Microsoft.Extensions.Logging;
using SocketKit.Diagnostics.Trace;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit trace: a relay between a client and a server that prints every protocol message crossing it.</summary>
internal static class TraceCommand
{
    public static Command Create(CliContext context)
    {
        var listenPort = new Argument<int>("LISTEN_PORT")
        {
            Description = "The port the relay listens on (0 lets the system pick one).",
            CustomParser = r => ValueParsers.Port(r, "LISTEN_PORT", 0),
        };
        var upstream = new ServerAddressFlags(optional: false, "The server to relay to: a host name, an IP address, or unix:PATH (which takes no PORT).");
        var listenHost = new Option<string>("--listen-host") { Description = "The address the relay listens on (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1", CustomParser = r => ValueParsers.Host(r, "--listen-host", allowUnix: false) };
        var raw = new Option<bool>("--raw") { Description = "Also show each read off the socket (TCP segments as they came) in hex." };
        var pcap = new Option<string?>("--pcap") { Description = "Write what crossed the relay to this pcap file (Wireshark opens it; see tools/wireshark).", HelpName = "FILE", CustomParser = r => ValueParsers.OutputFile(r, "--pcap") };
        Option<TimeSpan> connectTimeout = CommonOptions.ConnectTimeout();
        var command = new Command("trace", """
            A transparent TCP relay that prints every application-protocol message crossing it, both ways:
            the protoheader, the JSON header as sent, the content (JSON indented, binary as a hex dump), with
            a timestamp and the connection's number. Bytes that break the protocol are shown in hex with the
            reason, and relayed unchanged. Point the client at LISTEN_PORT instead of the server.

            Example:
              socketkit trace 65433 127.0.0.1 65432 --pcap conversation.pcap
              socketkit app-client 127.0.0.1 65433 search morpheus
            """) { listenPort, listenHost, raw, pcap, connectTimeout };
        upstream.AddTo(command);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger("SocketKit.Trace");
            IPEndPoint listen = await EndPoints.ResolveOneAsync(result.GetValue(listenHost)!, result.GetValue(listenPort), cancellationToken);
            ServerAddress server = upstream.Read(result);
            var options = new TraceOptions { Raw = result.GetValue(raw), PcapPath = result.GetValue(pcap), ConnectTimeout = result.GetValue(connectTimeout) };
            TraceRelay started;
            try
            {
                var text = new TraceText();
                started = TraceRelay.Start(listen, server.Host, server.Port, options, e => context.Write(text.Render(e)));
            }
            catch (Exception ex) when (options.PcapPath is not null && ex is IOException or UnauthorizedAccessException)
            {
                // The folder exists (the parser checked) but the file cannot be made: read-only, or not ours.
                context.Error.WriteLine($"socketkit: cannot write the capture --pcap {options.PcapPath}: {ex.Message.TrimEnd('.')}.");
                return ExitCodes.Failure;
            }
            await using TraceRelay relay = started;
            logger.LogInformation("Listening on {EndPoint}, relaying to {Host}:{Port}", EndPoints.Format(relay.LocalEndPoint), server.Host, server.Port);
            try
            {
                await Task.WhenAny(relay.Completion, Task.Delay(Timeout.Infinite, cancellationToken));
            }
            finally
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    logger.LogInformation("Caught interrupt, exiting");
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
