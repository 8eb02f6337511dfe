namespace SocketKit.Transport.Errors;

/// <summary>The socket failures a user meets, told apart so each can be explained and mapped to advice.</summary>
public enum SocketErrorKind
{
    /// <summary>ECONNREFUSED: nothing listens on that address and port.</summary>
    ConnectionRefused,
    /// <summary>ECONNRESET: the peer closed the connection abruptly (an RST).</summary>
    ConnectionReset,
    /// <summary>ECONNABORTED: the connection was aborted on this side.</summary>
    ConnectionAborted,
    /// <summary>EPIPE: writing to a connection the peer has closed.</summary>
    BrokenPipe,
    /// <summary>ETIMEDOUT: no answer in time.</summary>
    TimedOut,
    /// <summary>EADDRINUSE: another socket holds the address and port.</summary>
    AddressInUse,
    /// <summary>EADDRNOTAVAIL: the address is not one of this machine's.</summary>
    AddressNotAvailable,
    /// <summary>EHOSTUNREACH: no route to the host.</summary>
    HostUnreachable,
    /// <summary>ENETUNREACH: no route to the network.</summary>
    NetworkUnreachable,
    /// <summary>The host name did not resolve to an address.</summary>
    HostNotFound,
    /// <summary>EACCES: not allowed, such as binding a port below 1024 without privilege.</summary>
    PermissionDenied,
    /// <summary>EAGAIN / EWOULDBLOCK: a non-blocking call had nothing to do yet.</summary>
    WouldBlock,
    /// <summary>The TLS handshake failed: an untrusted or mismatched certificate, or a peer not speaking TLS.</summary>
    TlsFailed,
    /// <summary>Anything else.</summary>
    Other,
}
