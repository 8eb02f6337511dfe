using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>Turns any failure into a few lines a person can act on, and an exit code that means something. A stack trace only under -v.</summary>
internal static class ErrorReporter
{
    public static int Report(Exception exception, CliContext context, bool verbose)
    {
        TextWriter err = context.Error;
        switch (exception)
        {
            case NetworkException network:
                err.WriteLine($"socketkit: {network.Message}");
                err.WriteLine($"  {network.Advice.ErrnoName}: {network.Advice.Summary}");
                err.WriteLine($"  What to check: {network.Advice.WhatToCheck}");
                // A host that does not exist is something the user typed: a usage error.
                return network.Kind == SocketErrorKind.HostNotFound ? ExitCodes.Usage : ExitCodes.Failure;
            case ProtocolException protocol:
                err.WriteLine($"socketkit: protocol error ({protocol.Error}): {protocol.Message}");
                err.WriteLine("  The peer does not speak the application protocol as PROTOCOL.md describes it, or stopped mid-message. Run with -v to see the bytes.");
                return ExitCodes.Failure;
            case SocketKit.Transport.Tls.TlsSetupException tls:
                err.WriteLine($"socketkit: {tls.Message}");
                return ExitCodes.Usage;
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
}
