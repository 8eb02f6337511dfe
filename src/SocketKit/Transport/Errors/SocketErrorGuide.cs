using SocketKit.Transport.Listening;
namespace SocketKit.Transport.Errors;

/// <summary>The one place that classifies socket errors and says what they mean, for every layer above.</summary>
public static class SocketErrorGuide
{
    /// <summary>Every entry of the guide, in the order the tutorial's table gives them, then the others.</summary>
    public static IReadOnlyList<SocketErrorAdvice> All { get; } =
    [
        new(SocketErrorKind.WouldBlock, "EAGAIN", 11,
            "Resource temporarily unavailable: a non-blocking socket had nothing to read or no room to write yet.",
            "Not a failure: wait for readiness (a selector) and try again. Blocking sockets never see it."),
        new(SocketErrorKind.AddressInUse, "EADDRINUSE", 98,
            "Address already in use: another socket is bound to this address and port.",
            "See who holds it with `socketkit netstat -tlnp --port PORT` (or `ss -tlnp 'sport = :PORT'`); stop that program or pick another port."),
        new(SocketErrorKind.ConnectionReset, "ECONNRESET", 104,
            "Connection reset by peer: the other side closed the connection abruptly.",
            "The peer crashed, was stopped, or refused what it was sent; check its logs. A firewall or proxy in between can also reset connections."),
        new(SocketErrorKind.TimedOut, "ETIMEDOUT", 110,
            "Operation timed out: no answer came in time.",
            "Is the host up and reachable (`socketkit ping HOST`)? A firewall that drops packets silently causes this; so does an overloaded server."),
        new(SocketErrorKind.ConnectionRefused, "ECONNREFUSED", 111,
            "Connection refused: nothing is listening on that address and port.",
            "Start the server first, and check host and port. `socketkit netstat -tln` lists what listens; a server bound to 127.0.0.1 cannot be reached from another machine."),
        new(SocketErrorKind.HostUnreachable, "EHOSTUNREACH", 113,
            "No route to host: the host cannot be reached.",
            "Check the address, and that the host is up and on a network this machine can reach (`socketkit ping HOST`)."),
        new(SocketErrorKind.NetworkUnreachable, "ENETUNREACH", 101,
            "Network is unreachable: this machine has no route to that network.",
            "Check the address and this machine's routes (`ip route`); an IPv6 address without IPv6 connectivity fails this way."),
        new(SocketErrorKind.HostNotFound, "EAI_NONAME", 0,
            "Name or service not known: the host name did not resolve to an address.",
            "Check the spelling of the host name, or use an IP address such as 127.0.0.1."),
        new(SocketErrorKind.PermissionDenied, "EACCES", 13,
            "Permission denied: ports below 1024 need privileges to bind.",
            "Use a port of 1024 or above (the tutorial uses 65432), or run with the needed privilege."),
        new(SocketErrorKind.AddressNotAvailable, "EADDRNOTAVAIL", 99,
            "Cannot assign requested address: that address is not one of this machine's.",
            "Bind to an address this machine has (127.0.0.1, 0.0.0.0, ::1, ::); `ip addr` lists them."),
        new(SocketErrorKind.ConnectionAborted, "ECONNABORTED", 103,
            "Software caused connection abort: the connection was aborted on this side.",
            "Usually a timeout or a local shutdown ended the connection; retry."),
        new(SocketErrorKind.BrokenPipe, "EPIPE", 32,
            "Broken pipe: writing to a connection the peer has already closed.",
            "The peer closed early; check why it did (its logs, its limits and timeouts)."),
        new(SocketErrorKind.TlsFailed, "TLS", 0,
            "TLS handshake failed: the certificate was not trusted or not for this name, or the peer does not speak TLS.",
            "Check that both sides use TLS (--tls on the client, --tls-cert/--tls-key on the server); for a private or self-signed certificate give the client --tls-ca FILE."),
    ];

    /// <summary>Classifies a portable socket error code.</summary>
    public static SocketErrorKind Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => SocketErrorKind.ConnectionRefused,
        SocketError.ConnectionReset => SocketErrorKind.ConnectionReset,
        SocketError.ConnectionAborted or SocketError.OperationAborted => SocketErrorKind.ConnectionAborted,
        SocketError.Shutdown => SocketErrorKind.BrokenPipe,
        SocketError.TimedOut => SocketErrorKind.TimedOut,
        SocketError.AddressAlreadyInUse => SocketErrorKind.AddressInUse,
        SocketError.AddressNotAvailable => SocketErrorKind.AddressNotAvailable,
        SocketError.HostUnreachable or SocketError.HostDown => SocketErrorKind.HostUnreachable,
        SocketError.NetworkUnreachable or SocketError.NetworkDown => SocketErrorKind.NetworkUnreachable,
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => SocketErrorKind.HostNotFound,
        SocketError.AccessDenied => SocketErrorKind.PermissionDenied,
        SocketError.WouldBlock or SocketError.IOPending or SocketError.InProgress => SocketErrorKind.WouldBlock,
        _ => SocketErrorKind.Other,
    };

    /// <summary>The advice for a kind; a generic entry for <see cref="SocketErrorKind.Other"/>.</summary>
    public static SocketErrorAdvice For(SocketErrorKind kind) =>
        All.FirstOrDefault(a => a.Kind == kind)
        ?? new SocketErrorAdvice(SocketErrorKind.Other, "EIO", 5, "The socket operation failed.", "Run with -v to see the bytes exchanged, and `socketkit netstat` to see the socket's state.");

    /// <summary>The same errors on a Unix domain socket, said in its terms: a path and a file, not an address and a port.</summary>
    private static readonly SocketErrorAdvice[] Unix =
    [
        new(SocketErrorKind.AddressInUse, "EADDRINUSE", 98,
            "Address already in use: a server is listening on this socket file, or the path holds a file that is not a socket.",
            "`socketkit netstat -xlp` lists the listening Unix sockets and their programs; `ls -l PATH` shows what the file is (a socket's mode starts with s). Stop that server, remove a file that is not a socket, or pick another path."),
        new(SocketErrorKind.ConnectionRefused, "ECONNREFUSED", 111,
            "Connection refused: no server is listening on that socket file.",
            "Start the server first and check the path (unix:PATH, the same on both sides). `socketkit netstat -xl` lists the listening Unix sockets; a file left by a server that crashed refuses connections until it is removed."),
        new(SocketErrorKind.PermissionDenied, "EACCES", 13,
            "Permission denied: this user may not use the socket file or its directory.",
            "Check the permissions of the socket file and of every directory on its path (`ls -ld`); connecting needs write permission on the socket."),
    ];

    /// <summary>Advice for <paramref name="kind"/> on the endpoint <paramref name="endPoint"/>: in Unix-socket terms for a unix:PATH.</summary>
    public static SocketErrorAdvice For(SocketErrorKind kind, string? endPoint) =>
        endPoint is not null && endPoint.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal) && Unix.FirstOrDefault(a => a.Kind == kind) is { } unix
            ? unix
            : For(kind);

    /// <summary>Finds advice by errno name (ECONNREFUSED, econnrefused), errno number (111), or kind name (ConnectionRefused).</summary>
    public static SocketErrorAdvice? Find(string nameOrNumber)
    {
        string text = nameOrNumber.Trim();
        if (int.TryParse(text, out int number))
        {
            return All.FirstOrDefault(a => a.Errno == number && number != 0);
        }
        return All.FirstOrDefault(a => string.Equals(a.ErrnoName, text, StringComparison.OrdinalIgnoreCase)
            || string.Equals(a.Kind.ToString(), text, StringComparison.OrdinalIgnoreCase)
            || (a.Kind == SocketErrorKind.WouldBlock && string.Equals(text, "EWOULDBLOCK", StringComparison.OrdinalIgnoreCase)));
    }
}
