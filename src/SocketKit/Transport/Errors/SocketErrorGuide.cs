namespace SocketKit.Transport.Errors;

/// <summary>
/// The one place that classifies socket errors and says what they mean, for every layer above: facts (a kind, an errno,
/// what happened), never what to type next, which is the command line's to say.
/// </summary>
public static class SocketErrorGuide
{
    /// <summary>Every entry of the guide, in the order the tutorial's table gives them, then the others.</summary>
    public static IReadOnlyList<SocketErrorAdvice> All { get; } =
    [
        new(SocketErrorKind.WouldBlock, "EAGAIN", 11,
            "Resource temporarily unavailable: a non-blocking socket had nothing to read or no room to write yet."),
        new(SocketErrorKind.AddressInUse, "EADDRINUSE", 98,
            "Address already in use: another socket is bound to this address and port."),
        new(SocketErrorKind.ConnectionReset, "ECONNRESET", 104,
            "Connection reset by peer: the other side closed the connection abruptly."),
        new(SocketErrorKind.TimedOut, "ETIMEDOUT", 110,
            "Operation timed out: no answer came in time."),
        new(SocketErrorKind.ConnectionRefused, "ECONNREFUSED", 111,
            "Connection refused: nothing is listening on that address and port."),
        new(SocketErrorKind.HostUnreachable, "EHOSTUNREACH", 113,
            "No route to host: the host cannot be reached."),
        new(SocketErrorKind.NetworkUnreachable, "ENETUNREACH", 101,
            "Network is unreachable: this machine has no route to that network."),
        new(SocketErrorKind.HostNotFound, "EAI_NONAME", 0,
            "Name or service not known: the host name did not resolve to an address."),
        new(SocketErrorKind.PermissionDenied, "EACCES", 13,
            "Permission denied: ports below 1024 need privileges to bind."),
        new(SocketErrorKind.AddressNotAvailable, "EADDRNOTAVAIL", 99,
            "Cannot assign requested address: that address is not one of this machine's."),
        new(SocketErrorKind.ConnectionAborted, "ECONNABORTED", 103,
            "Software caused connection abort: the connection was aborted on this side."),
        new(SocketErrorKind.BrokenPipe, "EPIPE", 32,
            "Broken pipe: writing to a connection the peer has already closed."),
        new(SocketErrorKind.TlsFailed, "TLS", 0,
            "TLS handshake failed: the certificate was not trusted or not for this name, or the peer does not speak TLS."),
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
        ?? new SocketErrorAdvice(SocketErrorKind.Other, "EIO", 5, "The socket operation failed.");

    /// <summary>The same errors on a Unix domain socket, said in its terms: a path and a file, not an address and a port.</summary>
    private static readonly SocketErrorAdvice[] Unix =
    [
        new(SocketErrorKind.AddressInUse, "EADDRINUSE", 98,
            "Address already in use: a server is listening on this socket file, or the path holds a file that is not a socket."),
        new(SocketErrorKind.ConnectionRefused, "ECONNREFUSED", 111,
            "Connection refused: no server is listening on that socket file."),
        new(SocketErrorKind.PermissionDenied, "EACCES", 13,
            "Permission denied: this user may not use the socket file or its directory."),
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
