using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>Turns any failure into a few lines a person can act on, and an exit code that means something. A stack trace only under -v.</summary>
internal static class ErrorReporter
{
    /// <param name="exception">What went wrong.</param>
    /// <param name="context">Where to say it.</param>
    /// <param name="verbose">-v: an unexpected failure's stack trace too.</param>
    /// <param name="command">The command line, when parsed: whether the client spoke TLS decides what to suggest.</param>
    public static int Report(Exception exception, CliContext context, bool verbose, ParseResult? command = null)
    {
        TextWriter err = context.Error;
        bool? clientTls = command is null ? null : ClientTls(command);
        switch (exception)
        {
            case NetworkException network:
                err.WriteLine($"socketkit: {network.Message}");
                err.WriteLine($"  {network.Advice.ErrnoName}: {network.Advice.Summary}");
                err.WriteLine($"  What to check: {network.Advice.WhatToCheck}");
                if (clientTls == false && network.Kind == SocketErrorKind.ConnectionReset)
                {
                    err.WriteLine(PlainToTls);
                }
                else if (clientTls == true && network.Kind == SocketErrorKind.TlsFailed && !network.Message.Contains("certificate", StringComparison.Ordinal))
                {
                    err.WriteLine("  A plain server (no --tls-cert) does not answer a TLS client: leave out --tls, --tls-insecure and --tls-ca to speak plain TCP to it.");
                }
                // A host that does not exist is something the user typed: a usage error.
                return network.Kind == SocketErrorKind.HostNotFound ? ExitCodes.Usage : ExitCodes.Failure;
            case ProtocolException protocol:
                err.WriteLine($"socketkit: protocol error ({protocol.Error}): {protocol.Message}");
                err.WriteLine(clientTls == false && protocol.Error == ProtocolError.TruncatedMessage
                    ? PlainToTls + " Otherwise run with -v to see the bytes."
                    : "  The peer does not speak the application protocol as PROTOCOL.md describes it, or stopped mid-message. Run with -v to see the bytes.");
                return ExitCodes.Failure;
            case SocketKit.Transport.Tls.TlsSetupException tls:
                err.WriteLine($"socketkit: {tls.Message.TrimEnd('.')}.");
                if (command is not null)
                {
                    err.WriteLine($"Try '{UsageErrors.Name(command.CommandResult)} --help' for usage.");
                }
                return ExitCodes.Usage;
            case SocketKit.Diagnostics.Ping.IcmpUnavailableException icmp:
                err.WriteLine($"socketkit: {icmp.Message}.");
                err.WriteLine($"  {SocketKit.Diagnostics.Ping.IcmpUnavailableException.WhatToDo}");
                return ExitCodes.Failure;
            case OperationCanceledException:
                err.WriteLine("socketkit: interrupted");
                return ExitCodes.Interrupted;
            default:
                // A bug of socketkit's: one line, and the trace only for who asked for every detail.
                err.WriteLine($"socketkit: unexpected error: {exception.Message.TrimEnd('.')}. Run with -v for the details, and please report it.");
                if (verbose)
                {
                    err.WriteLine(exception.ToString());
                }
                return ExitCodes.Software;
        }
    }

    /// <summary>What a plain client is told when the server closed on it without a word, as a TLS server does.</summary>
    internal const string PlainToTls =
        "  A TLS server closes a plain connection without a word: if the server speaks TLS, add --tls (--tls-insecure for a self-signed certificate, --tls-ca FILE for your own CA).";

    /// <summary>Whether the command is a client that spoke TLS (true), spoke plain TCP though it could have spoken TLS (false), or has no TLS options (null).</summary>
    private static bool? ClientTls(ParseResult command)
    {
        Option[] tlsOptions = [.. command.CommandResult.Command.Options.Where(o => o.Name is "--tls" or "--tls-insecure" or "--tls-ca")];
        return tlsOptions.Length == 0 ? null : tlsOptions.Any(o => command.GetResult(o) is { Implicit: false });
    }
}
