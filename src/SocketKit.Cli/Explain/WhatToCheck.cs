using SocketKit.Transport.Errors;
using SocketKit.Transport.Tls;
using K = SocketKit.Transport.Errors.SocketErrorKind;

namespace SocketKit.Cli.Explain;

/// <summary>
/// What to check next after a socket error, in the command line's words: the library classifies the error
/// (<see cref="SocketErrorGuide"/>: a kind, an errno, what happened) and this says which command or flag to reach for.
/// </summary>
internal static class WhatToCheck
{
    private static readonly Dictionary<K, string> Tcp = new()
    {
        [K.WouldBlock] = "Not a failure: wait for readiness (a selector) and try again. Blocking sockets never see it.",
        [K.AddressInUse] = "See who holds it with `socketkit netstat -tlnp --port PORT` (or `ss -tlnp 'sport = :PORT'`); stop that program or pick another port.",
        [K.ConnectionReset] = "The peer crashed, was stopped, or refused what it was sent; check its logs. A firewall or proxy in between can also reset connections.",
        [K.TimedOut] = "Is the host up and reachable (`socketkit ping HOST`)? A firewall that drops packets silently causes this; so does an overloaded server.",
        [K.ConnectionRefused] = "Start the server first, and check host and port. `socketkit netstat -tln` lists what listens; a server bound to 127.0.0.1 cannot be reached from another machine.",
        [K.HostUnreachable] = "Check the address, and that the host is up and on a network this machine can reach (`socketkit ping HOST`).",
        [K.NetworkUnreachable] = "Check the address and this machine's routes (`ip route`); an IPv6 address without IPv6 connectivity fails this way.",
        [K.HostNotFound] = "Check the spelling of the host name, or use an IP address such as 127.0.0.1.",
        [K.PermissionDenied] = "Use a port of 1024 or above (the tutorial uses 65432), or run with the needed privilege.",
        [K.AddressNotAvailable] = "Bind to an address this machine has (127.0.0.1, 0.0.0.0, ::1, ::); `ip addr` lists them.",
        [K.ConnectionAborted] = "Usually a timeout or a local shutdown ended the connection; retry.",
        [K.BrokenPipe] = "The peer closed early; check why it did (its logs, its limits and timeouts).",
        [K.TlsFailed] = "Check that both sides use TLS (--tls on the client, --tls-cert/--tls-key on the server); for a private or self-signed certificate give the client --tls-ca FILE.",
        [K.Other] = "Run with -v to see the bytes exchanged, and `socketkit netstat` to see the socket's state.",
    };

    /// <summary>The same errors on a Unix domain socket, in its terms: a path and a file, not an address and a port.</summary>
    private static readonly Dictionary<K, string> Unix = new()
    {
        [K.AddressInUse] = "`socketkit netstat -xlp` lists the listening Unix sockets and their programs; `ls -l PATH` shows what the file is (a socket's mode starts with s). Stop that server, remove a file that is not a socket, or pick another path.",
        [K.ConnectionRefused] = "Start the server first and check the path (unix:PATH, the same on both sides). `socketkit netstat -xl` lists the listening Unix sockets; a file left by a server that crashed refuses connections until it is removed.",
        [K.PermissionDenied] = "Check the permissions of the socket file and of every directory on its path (`ls -ld`); connecting needs write permission on the socket.",
    };

    /// <summary>What to check after an error of <paramref name="kind"/>.</summary>
    public static string For(SocketErrorKind kind) => Tcp.TryGetValue(kind, out string? check) ? check : Tcp[K.Other];

    /// <summary>What to check after an error of <paramref name="kind"/> on <paramref name="endPoint"/>: in Unix-socket terms for a unix:PATH.</summary>
    public static string For(SocketErrorKind kind, string? endPoint) =>
        endPoint is not null && endPoint.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal) && Unix.TryGetValue(kind, out string? unix) ? unix : For(kind);

    /// <summary>
    /// The option that answers a refused TLS connection, said after the library's words for it ("..., and none was
    /// given" + " (--tls-cert and --tls-key give one)"); empty for any other failure.
    /// </summary>
    public static string Hint(TlsRefusal? refusal) => refusal switch
    {
        TlsRefusal.ClientCertificateMissing => " (--tls-cert and --tls-key give one)",
        TlsRefusal.ServerNameMismatch => " (--tls-server-name sets the name asked for)",
        TlsRefusal.ServerNotFromGivenCa => " (--tls-ca)",
        TlsRefusal.ServerNotFromGivenCaOrName => " (--tls-ca gives the CA, --tls-server-name the name asked for)",
        TlsRefusal.ServerUntrusted => "; give its CA with --tls-ca, or --tls-insecure to skip the check",
        _ => "",
    };

    /// <summary>The library's message for <paramref name="network"/>, with the option that answers it where there is one.</summary>
    public static string Message(NetworkException network) => network.Message + Hint(network.TlsRefusal);

    /// <summary>What to check after <paramref name="network"/>.</summary>
    public static string For(NetworkException network) => For(network.Kind, network.EndPoint);
}
