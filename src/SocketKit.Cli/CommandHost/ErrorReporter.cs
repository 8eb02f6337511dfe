using SocketKit.Protocol;
using SocketKit.Transport.Errors;

namespace SocketKit.Cli.CommandHost;

/// <summary>Turns any failure into a few lines a person can act on, and an exit code that means something. A stack trace only under -v.</summary>
internal static class ErrorReporter
{
    /// <param name="exception">What went wrong.</param>
    /// <param name="context">Where to say it.</param>
    /// <param name="verbose">-v: an unexpected failure's stack trace too.</param>
    /// <param name="command">The command line, when parsed: whether the client spoke TLS decides what to suggest.</param>
    /// <param name="speaksTls">Whether the server, which closed a plain client's connection, completes a TLS handshake (<see cref="CheckTlsAsync"/>); null when not asked.</param>
    public static int Report(Exception exception, CliContext context, bool verbose, ParseResult? command = null, bool? speaksTls = null)
    {
        TextWriter err = context.Error;
        bool? clientTls = command is null ? null : ClientTls(command);
        switch (exception)
        {
            case NetworkException { Progress: { } progress } network when network.Kind is SocketErrorKind.TimedOut or SocketErrorKind.ConnectionReset:
                // Connected and sent: what the server did with the request, not what the network does to packets.
                err.WriteLine($"socketkit: {Explain.WhatToCheck.Message(network)}");
                if (network.InnerException is not null)
                {
                    // A reset the kernel reported (an RST), not a close of the client's reading: named as such.
                    err.WriteLine($"  {network.Advice.ErrnoName}: {network.Advice.Summary}");
                }
                err.WriteLine(network.Kind == SocketErrorKind.TimedOut
                    ? $"  The server accepted the connection and took the {progress.BytesSent} bytes sent, but did not answer: it is stuck or busy, or waits for something else (another protocol, more bytes)."
                    : $"  The server took the {progress.BytesSent} bytes sent and ended the connection {Durations.Format(progress.Waited)} later, with {progress.BytesReceived} bytes of answer: a limit it enforces, a request it refused, or a crash.");
                if (speaksTls == true)
                {
                    err.WriteLine(PlainToTls);
                }
                err.WriteLine($"  What to check: the server's logs; `socketkit diagnose {Diagnose(network.EndPoint)}` checks every step.");
                return ExitCodes.Failure;
            case NetworkException network:
                err.WriteLine($"socketkit: {Explain.WhatToCheck.Message(network)}");
                err.WriteLine($"  {network.Advice.ErrnoName}: {network.Advice.Summary}");
                err.WriteLine($"  What to check: {Explain.WhatToCheck.For(network)}");
                if (network.Kind == SocketErrorKind.ConnectionRefused && ListeningElsewhere(network.EndPoint) is { } elsewhere)
                {
                    err.WriteLine(elsewhere);
                }
                if (speaksTls == true && network.Kind == SocketErrorKind.ConnectionReset)
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
                err.WriteLine("  The peer does not speak the application protocol as PROTOCOL.md describes it, or stopped mid-message. Run with -v to see the bytes.");
                return ExitCodes.Failure;
            case Transport.Tls.TlsSetupException tls:
                err.WriteLine($"socketkit: {tls.Message.TrimEnd('.')}.");
                if (command is not null)
                {
                    err.WriteLine($"Try '{UsageErrors.Name(command.CommandResult)} --help' for usage.");
                }
                return ExitCodes.Usage;
            case Diagnostics.Ping.IcmpUnavailableException icmp:
                err.WriteLine($"socketkit: {icmp.Message}.");
                err.WriteLine("  Run as root (sudo socketkit ping ...), install iputils-ping, or probe a port instead: socketkit ping --tcp HOST PORT needs no privilege.");
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

    /// <summary>What a plain client is told when the server closed on it without a word and then completed a TLS handshake: it is a TLS server.</summary>
    internal const string PlainToTls =
        "  The server speaks TLS (a TLS handshake with it completes), and a TLS server closes a plain connection without a word: add --tls (--tls-insecure for a self-signed certificate, --tls-ca FILE for your own CA).";

    /// <summary>
    /// For a plain client whose connection the server ended without an answer: whether the server speaks TLS, found by
    /// shaking hands with it (any certificate taken, within 2 s). Null when the question does not arise, so TLS is
    /// mentioned only when it was seen.
    /// </summary>
    public static async Task<bool?> CheckTlsAsync(Exception exception, ParseResult command, CancellationToken cancellationToken)
    {
        if (ClientTls(command) != false || exception is not NetworkException { Kind: SocketErrorKind.ConnectionReset, EndPoint: { } endPoint }
            || !IPEndPoint.TryParse(endPoint, out IPEndPoint? target))
        {
            return null;
        }
        try
        {
            return await SpeaksTlsAsync(target, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The probe itself met the failure (the server resets every connection, or the user stopped it): TLS was not seen.
            return null;
        }
    }

    /// <summary>Whether <paramref name="target"/> completes a TLS handshake within 2 s.</summary>
    public static Task<bool> SpeaksTlsAsync(IPEndPoint target, CancellationToken cancellationToken) =>
        Diagnostics.Diagnose.ConnectionDiagnoser.SpeaksTlsAsync(target, target.Address.ToString(), TimeSpan.FromSeconds(2), cancellationToken);

    /// <summary>"HOST PORT" of an endpoint as text, for a command line to suggest.</summary>
    private static string Diagnose(string? endPoint) =>
        endPoint is not null && IPEndPoint.TryParse(endPoint, out IPEndPoint? parsed) ? $"{parsed.Address} {parsed.Port}" : "HOST PORT";

    /// <summary>For a refused connection on this machine: the listeners on the same port at other addresses, in words; null when there are none.</summary>
    internal static string? ListeningElsewhere(string? endPoint)
    {
        if (endPoint is null || !IPEndPoint.TryParse(endPoint, out IPEndPoint? refused))
        {
            return null;
        }
        IReadOnlyList<Diagnostics.Diagnose.LocalListener>? listeners = Diagnostics.Diagnose.LocalListeners.OnPort(refused.Port, [refused.Address]);
        Diagnostics.Diagnose.LocalListener[] elsewhere = [.. listeners?.Where(l => !l.Matches) ?? []];
        if (elsewhere.Length == 0)
        {
            return null;
        }
        string who = string.Join(", ", elsewhere.Select(l => l.Local + (l.Process is { } p ? $" ({p})" : "")));
        string first = IPEndPoint.TryParse(elsewhere[0].Local, out IPEndPoint? at) ? at.Address.ToString() : elsewhere[0].Local;
        return $"  But a server listens on the same port at another address: {who}. It is bound to that address only: connect to {first} {refused.Port}, or start it on {refused.Address} (0.0.0.0 or :: for every address).";
    }

    /// <summary>Whether the command is a client that spoke TLS (true), spoke plain TCP though it could have spoken TLS (false), or has no TLS options (null).</summary>
    private static bool? ClientTls(ParseResult command)
    {
        Option[] tlsOptions = [.. command.CommandResult.Command.Options.Where(o => o.Name is "--tls" or "--tls-insecure" or "--tls-ca")];
        return tlsOptions.Length == 0 ? null : tlsOptions.Any(o => command.GetResult(o) is { Implicit: false });
    }
}
