using SocketKit.Transport.Errors;
using K = SocketKit.Transport.Errors.SocketErrorKind;

namespace SocketKit.Cli.Explain;

/// <summary>
/// Every socket error explain knows: each errno Linux defines for sockets, getaddrinfo's errors, every Winsock error,
/// every .NET SocketError, and Python's exceptions for them. The entries the library's guide holds take its summary and
/// <see cref="WhatToCheck"/>'s advice, so explain and the commands' errors say the same; the others' words are here.
/// </summary>
internal static class ErrorCatalog
{
    private static readonly string[] None = [];

    /// <summary>(Before <see cref="All"/>, which reads it.) .NET names a few errors no Winsock code has: the operation-level ones, mapped to the errno they mean.</summary>
    private static readonly Dictionary<System.Net.Sockets.SocketError, string> DotNetOnly = new()
    {
        [System.Net.Sockets.SocketError.OperationAborted] = "ECANCELED",
        [System.Net.Sockets.SocketError.IOPending] = "EINPROGRESS",
        [System.Net.Sockets.SocketError.SocketError] = "SocketError",
        [System.Net.Sockets.SocketError.Success] = "Success",
    };

    /// <summary>Every entry: the tutorial's table first (the guide's order), then by number.</summary>
    public static IReadOnlyList<KnownError> All { get; } = WithDotNetNames(
    [
        new("EAGAIN", 11, "Resource temporarily unavailable", K.WouldBlock, "WSAEWOULDBLOCK", 10035, "A non-blocking socket operation could not be completed immediately.", ["BlockingIOError"]),
        new("EADDRINUSE", 98, "Address already in use", K.AddressInUse, "WSAEADDRINUSE", 10048, "Only one usage of each socket address (protocol/network address/port) is normally permitted.", ["OSError"]),
        new("ECONNRESET", 104, "Connection reset by peer", K.ConnectionReset, "WSAECONNRESET", 10054, "An existing connection was forcibly closed by the remote host.", ["ConnectionResetError"]),
        new("ETIMEDOUT", 110, "Connection timed out", K.TimedOut, "WSAETIMEDOUT", 10060, "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.", ["TimeoutError", "socket.timeout"]),
        new("ECONNREFUSED", 111, "Connection refused", K.ConnectionRefused, "WSAECONNREFUSED", 10061, "No connection could be made because the target machine actively refused it.", ["ConnectionRefusedError"]),
        new("EHOSTUNREACH", 113, "No route to host", K.HostUnreachable, "WSAEHOSTUNREACH", 10065, "A socket operation was attempted to an unreachable host.", ["OSError"]),
        new("ENETUNREACH", 101, "Network is unreachable", K.NetworkUnreachable, "WSAENETUNREACH", 10051, "A socket operation was attempted to an unreachable network.", ["OSError"]),
        new("EAI_NONAME", -2, "Name or service not known", K.HostNotFound, "WSAHOST_NOT_FOUND", 11001, "No such host is known.", ["socket.gaierror", "socket.herror"]),
        new("EACCES", 13, "Permission denied", K.PermissionDenied, "WSAEACCES", 10013, "An attempt was made to access a socket in a way forbidden by its access permissions.", ["PermissionError"]),
        new("EADDRNOTAVAIL", 99, "Cannot assign requested address", K.AddressNotAvailable, "WSAEADDRNOTAVAIL", 10049, "The requested address is not valid in its context.", ["OSError"]),
        new("ECONNABORTED", 103, "Software caused connection abort", K.ConnectionAborted, "WSAECONNABORTED", 10053, "An established connection was aborted by the software in your host machine.", ["ConnectionAbortedError"]),
        new("EPIPE", 32, "Broken pipe", K.BrokenPipe, null, null, null, ["BrokenPipeError"]),
        new("TLS", null, "TLS handshake failed", K.TlsFailed, null, null, null, ["ssl.SSLCertVerificationError", "ssl.SSLError", "ssl.SSLEOFError", "ssl.SSLZeroReturnError"]),

        new("EPERM", 1, "Operation not permitted", K.PermissionDenied, null, null, null, ["PermissionError"],
            "Operation not permitted: a firewall rule rejected the packet on this machine (a send fails so when nftables or iptables drops it on its way out), or the call needs a privilege this process lacks (raw sockets, binding to a device).",
            "`nft list ruleset` or `iptables -L -n` for a rule that drops output; run with the privilege (root, CAP_NET_RAW, CAP_NET_BIND_SERVICE) when the call needs one."),
        new("ENOENT", 2, "No such file or directory", K.ConnectionRefused, null, null, null, ["FileNotFoundError"],
            "No such file or directory: for a Unix domain socket, no socket file at that path, so no server listens there.",
            "Start the server first and check the path (unix:PATH, the same on both sides); `socketkit netstat -xl` lists the listening Unix sockets."),
        new("EINTR", 4, "Interrupted system call", K.Other, "WSAEINTR", 10004, "A blocking operation was interrupted by a call to WSACancelBlockingCall.", ["InterruptedError"],
            "Interrupted system call: a signal arrived while the call waited.",
            "Not a failure of the network: retry the call (Python 3.5 and .NET retry it for you); a program that stops on it handles signals too eagerly."),
        new("EIO", 5, "Input/output error", K.Other, null, null, null, ["OSError"],
            "Input/output error: the operation failed without a more precise reason.",
            "Run with -v to see the bytes exchanged, and `socketkit netstat` to see the socket's state."),
        new("EBADF", 9, "Bad file descriptor", K.Other, "WSAEBADF", 10009, "The file handle supplied is not valid.", ["OSError"],
            "Bad file descriptor: the program used a socket it had already closed (or never opened).",
            "A bug in the program: look for a close() before the last send() or recv(), or a socket shared between threads and closed by one of them."),
        new("ENOMEM", 12, "Cannot allocate memory", K.Other, null, null, null, ["MemoryError", "OSError"],
            "Cannot allocate memory: the kernel could not get memory for the socket's buffers.",
            "Check the machine's memory (`free -m`) and the socket buffer limits (`sysctl net.ipv4.tcp_mem net.core.rmem_max`)."),
        new("EFAULT", 14, "Bad address", K.Other, "WSAEFAULT", 10014, "The system detected an invalid pointer address in attempting to use a pointer argument in a call.", ["OSError"],
            "Bad address: a buffer or address passed to the call is not valid memory.",
            "A bug in the program or a native library it calls (a wrong buffer length or a freed buffer)."),
        new("EINVAL", 22, "Invalid argument", K.Other, "WSAEINVAL", 10022, "An invalid argument was supplied.", ["OSError"],
            "Invalid argument: a call got a value it cannot take (listen() on an unbound socket, a bad option value, an address of the wrong size).",
            "Check the order of the calls (socket, bind, listen, accept) and the values passed; `socketkit trace` does not see it: it never reaches the wire."),
        new("ENFILE", 23, "Too many open files in system", K.Other, null, null, null, ["OSError"],
            "Too many open files in system: the whole machine reached its limit of open files.",
            "`cat /proc/sys/fs/file-nr` shows open and maximum; raise fs.file-max, or find the process that holds so many (`socketkit netstat -tanp`)."),
        new("EMFILE", 24, "Too many open files", K.Other, "WSAEMFILE", 10024, "Too many open sockets.", ["OSError"],
            "Too many open files: this process reached its limit of file descriptors, and every socket is one.",
            "`ulimit -n` shows the limit (raise it, or LimitNOFILE= in a systemd unit); a server should close connections it is done with, and `socketkit netstat -tanp` shows what this process holds."),
        new("ENAMETOOLONG", 36, "File name too long", K.Other, "WSAENAMETOOLONG", 10063, "Name component or name was too long.", ["OSError"],
            "File name too long: a Unix domain socket's path is longer than the kernel takes (107 bytes on Linux).",
            "Use a shorter path, such as one under /run or /tmp, or a relative path from a nearby directory."),
        new("ELOOP", 40, "Too many levels of symbolic links", K.Other, "WSAELOOP", 10062, "Cannot translate name.", ["OSError"],
            "Too many levels of symbolic links: a Unix socket's path goes round a loop of links (on Windows: a name that cannot be translated).",
            "Check the path with `ls -l` on each of its parts."),
        new("EPROTO", 71, "Protocol error", K.Other, null, null, null, ["OSError"],
            "Protocol error: the protocol stack met a condition it cannot handle (often a TLS or a connection aborted before accept()).",
            "Retry; when it repeats, capture the conversation (`socketkit trace --pcap`) to see what crossed the wire."),
        new("ENOTSOCK", 88, "Socket operation on non-socket", K.Other, "WSAENOTSOCK", 10038, "An operation was attempted on something that is not a socket.", ["OSError"],
            "Socket operation on non-socket: a socket call got a file descriptor that is not a socket.",
            "A bug in the program: a descriptor closed and reused for a file, or the wrong variable."),
        new("EDESTADDRREQ", 89, "Destination address required", K.Other, "WSAEDESTADDRREQ", 10039, "A required address was omitted from an operation on a socket.", ["OSError"],
            "Destination address required: send() on a socket that is not connected and names no address.",
            "Connect first (TCP), or use sendto() with an address (UDP)."),
        new("EMSGSIZE", 90, "Message too long", K.Other, "WSAEMSGSIZE", 10040, "A message sent on a datagram socket was larger than the internal message buffer or some other network limit, or the buffer used to receive a datagram into was smaller than the datagram itself.", ["OSError"],
            "Message too long: a datagram larger than the socket or the path can carry.",
            "Send smaller datagrams (under 1,472 bytes avoids fragmentation on Ethernet), or use TCP, which splits a stream for you."),
        new("EPROTOTYPE", 91, "Protocol wrong type for socket", K.Other, "WSAEPROTOTYPE", 10041, "A protocol was specified in the socket function call that does not support the semantics of the socket type requested.", ["OSError"],
            "Protocol wrong type for socket: the protocol does not fit the socket type (UDP with SOCK_STREAM).",
            "Use SOCK_STREAM with TCP and SOCK_DGRAM with UDP, as the tutorial's socket(AF_INET, SOCK_STREAM)."),
        new("ENOPROTOOPT", 92, "Protocol not available", K.Other, "WSAENOPROTOOPT", 10042, "An unknown, invalid, or unsupported option or level was specified in a getsockopt or setsockopt call.", ["OSError"],
            "Protocol not available: setsockopt() or getsockopt() with an option or level this socket does not have.",
            "Check the option's level (SOL_SOCKET, IPPROTO_TCP) and that the platform has it (SO_REUSEPORT is not Windows')."),
        new("EPROTONOSUPPORT", 93, "Protocol not supported", K.Other, "WSAEPROTONOSUPPORT", 10043, "The requested protocol has not been configured into the system, or no implementation for it exists.", ["OSError"],
            "Protocol not supported: the kernel has no such protocol (SCTP without its module, for one).",
            "Check the socket() arguments; load the protocol's kernel module if it is one."),
        new("ESOCKTNOSUPPORT", 94, "Socket type not supported", K.Other, "WSAESOCKTNOSUPPORT", 10044, "The support for the specified socket type does not exist in this address family.", ["OSError"],
            "Socket type not supported: this address family has no socket of that type.",
            "Check the socket() arguments (family, type)."),
        new("EOPNOTSUPP", 95, "Operation not supported", K.Other, "WSAEOPNOTSUPP", 10045, "The attempted operation is not supported for the type of object referenced.", ["OSError"],
            "Operation not supported: the call does not apply to this kind of socket (listen() or accept() on a UDP socket).",
            "Only stream sockets listen and accept; check the socket's type."),
        new("EPFNOSUPPORT", 96, "Protocol family not supported", K.Other, "WSAEPFNOSUPPORT", 10046, "The protocol family has not been configured into the system or no implementation for it exists.", ["OSError"],
            "Protocol family not supported: this system has no such protocol family.",
            "Check the family given to socket() (AF_INET, AF_INET6, AF_UNIX)."),
        new("EAFNOSUPPORT", 97, "Address family not supported by protocol", K.Other, "WSAEAFNOSUPPORT", 10047, "An address incompatible with the requested protocol was used.", ["OSError"],
            "Address family not supported by protocol: an IPv6 address given to an IPv4 socket (or the reverse), or IPv6 is off on this machine.",
            "Make the socket's family match the address (AF_INET6 for ::1); `sysctl net.ipv6.conf.all.disable_ipv6` says whether IPv6 is off."),
        new("ENETDOWN", 100, "Network is down", K.NetworkUnreachable, "WSAENETDOWN", 10050, "A socket operation encountered a dead network.", ["OSError"],
            "Network is down: the interface the route uses is down.",
            "`ip link` shows the interfaces and their state; bring it up, or fix the route (`ip route`)."),
        new("ENETRESET", 102, "Network dropped connection on reset", K.ConnectionReset, "WSAENETRESET", 10052, "The connection has been broken due to keep-alive activity detecting a failure while the operation was in progress.", ["OSError"],
            "Network dropped connection on reset: keep-alive probes found the peer gone while the connection was idle.",
            "The peer or the path went away during a pause; reconnect. A NAT or firewall that forgets idle connections does this: send keep-alives more often than it forgets."),
        new("ENOBUFS", 105, "No buffer space available", K.Other, "WSAENOBUFS", 10055, "An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full.", ["OSError"],
            "No buffer space available: the kernel ran out of socket buffer memory, or (Windows) out of ephemeral ports.",
            "Too many connections or unread data: `socketkit netstat -tan` shows queues that do not drain; on Windows, connections in TIME_WAIT hold the ports."),
        new("EISCONN", 106, "Transport endpoint is already connected", K.Other, "WSAEISCONN", 10056, "A connect request was made on an already connected socket.", ["OSError"],
            "Transport endpoint is already connected: connect() on a socket that is connected already.",
            "A socket connects once; make a new socket for a new connection (a non-blocking connect that finished reports this on a second connect())."),
        new("ENOTCONN", 107, "Transport endpoint is not connected", K.Other, "WSAENOTCONN", 10057, "A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied.", ["OSError"],
            "Transport endpoint is not connected: send(), recv() or getpeername() on a socket that is not (or no longer) connected.",
            "Connect before sending; after the peer reset the connection, make a new one. shutdown() on a connection already gone fails so too."),
        new("ESHUTDOWN", 108, "Cannot send after transport endpoint shutdown", K.BrokenPipe, "WSAESHUTDOWN", 10058, "A request to send or receive data was disallowed because the socket had already been shut down in that direction with a previous shutdown call.", ["BrokenPipeError"],
            "Cannot send after transport endpoint shutdown: a send after this side called shutdown(SHUT_WR).",
            "A bug in the program: send everything before shutting down the sending direction."),
        new("ETOOMANYREFS", 109, "Too many references: cannot splice", K.Other, "WSAETOOMANYREFS", 10059, "Too many references to some kernel object.", ["OSError"],
            "Too many references: too many file descriptors in flight over a Unix socket (SCM_RIGHTS).",
            "Pass fewer descriptors at a time, and close the ones received."),
        new("EHOSTDOWN", 112, "Host is down", K.HostUnreachable, "WSAEHOSTDOWN", 10064, "A socket operation failed because the destination host was down.", ["OSError"],
            "Host is down: the host did not answer on its link (no ARP or neighbour answer).",
            "Is the host up and on this network? `socketkit ping HOST`, and `ip neigh` for what this machine knows of its neighbours."),
        new("EALREADY", 114, "Operation already in progress", K.WouldBlock, "WSAEALREADY", 10037, "An operation was attempted on a non-blocking socket that already had an operation in progress.", ["BlockingIOError"],
            "Operation already in progress: a second connect() on a non-blocking socket whose first has not finished.",
            "Wait for the socket to be writable (a selector), then read SO_ERROR for the connect's outcome; do not call connect() again."),
        new("EINPROGRESS", 115, "Operation now in progress", K.WouldBlock, "WSAEINPROGRESS", 10036, "A blocking operation is currently executing.", ["BlockingIOError"],
            "Operation now in progress: a non-blocking connect() has started and not finished; not a failure.",
            "Wait until the socket is writable (the tutorial's selectors), then check SO_ERROR; Python's connect_ex() returns it as a number."),
        new("ECANCELED", 125, "Operation canceled", K.ConnectionAborted, null, null, null, ["OSError"],
            "Operation canceled: the operation was cancelled before it finished, usually because its socket was closed (.NET's OperationAborted).",
            "Expected when a program closes a socket another thread or task is waiting on (a shutdown, a timeout); otherwise look for an early close()."),

        new("EAI_BADFLAGS", -1, "Bad value for ai_flags", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "Bad value for ai_flags: getaddrinfo() was given flags it does not take.",
            "A bug in the program's call to getaddrinfo()."),
        new("EAI_AGAIN", -3, "Temporary failure in name resolution", K.HostNotFound, "WSATRY_AGAIN", 11002, "This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server.", ["socket.gaierror"],
            "Temporary failure in name resolution: the DNS server did not answer in time, or none is reachable.",
            "Check the DNS servers (`cat /etc/resolv.conf`) and that this machine reaches them; retry, or use an IP address such as 127.0.0.1."),
        new("EAI_FAIL", -4, "Non-recoverable failure in name resolution", K.HostNotFound, "WSANO_RECOVERY", 11003, "A non-recoverable error occurred during a database lookup.", ["socket.gaierror"],
            "Non-recoverable failure in name resolution: the DNS server refused or failed the query.",
            "Check the name and the DNS server's health (`getent hosts NAME`, `dig NAME`)."),
        new("EAI_NODATA", -5, "No address associated with hostname", K.HostNotFound, "WSANO_DATA", 11004, "The requested name is valid, but no data of the requested type was found.", ["socket.gaierror"],
            "No address associated with hostname: the name exists but has no address of the family asked for.",
            "An IPv6-only name asked for IPv4 (or the reverse); `getent ahosts NAME` lists its addresses."),
        new("EAI_FAMILY", -6, "ai_family not supported", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "ai_family not supported: getaddrinfo() was asked for an address family it does not know.",
            "Ask for AF_INET, AF_INET6 or AF_UNSPEC."),
        new("EAI_SOCKTYPE", -7, "ai_socktype not supported", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "ai_socktype not supported: getaddrinfo() was asked for a socket type it does not know.",
            "Ask for SOCK_STREAM or SOCK_DGRAM."),
        new("EAI_SERVICE", -8, "Servname not supported for ai_socktype", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "Servname not supported for ai_socktype: the port or service name is not known for that socket type.",
            "Give the port as a number (65432), or a service /etc/services names."),
        new("EAI_ADDRFAMILY", -9, "Address family for hostname not supported", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "Address family for hostname not supported: the name has no address of the family asked for.",
            "`getent ahosts NAME` lists its addresses; ask for the family it has."),
        new("EAI_MEMORY", -10, "Memory allocation failure", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "Memory allocation failure: name resolution ran out of memory.",
            "Check the machine's memory (`free -m`)."),
        new("EAI_SYSTEM", -11, "System error", K.HostNotFound, null, null, null, ["socket.gaierror"],
            "System error: name resolution failed on a system error (errno says which).",
            "Look for the errno in the rest of the message, and `socketkit explain` it."),

        new("WSAEPROCLIM", null, "Too many processes", K.Other, "WSAEPROCLIM", 10067, "A Windows Sockets implementation may have a limit on the number of applications that may use it simultaneously.", None,
            "Too many processes use Winsock at once (Windows only).",
            "Close other programs that use the network, or restart."),
        new("WSASYSNOTREADY", null, "Network subsystem is unavailable", K.Other, "WSASYSNOTREADY", 10091, "WSAStartup cannot function at this time because the underlying system it uses to provide network services is currently unavailable.", None,
            "The network subsystem is unavailable (Windows only).",
            "Check that the network services run; `netsh winsock reset` and a restart repair a broken Winsock."),
        new("WSAVERNOTSUPPORTED", null, "Winsock version not supported", K.Other, "WSAVERNOTSUPPORTED", 10092, "The Windows Sockets version requested is not supported.", None,
            "The Winsock version asked for is not supported (Windows only).",
            "A very old program or library: it asks WSAStartup for a version Windows no longer offers."),
        new("WSANOTINITIALISED", null, "Winsock not initialised", K.Other, "WSANOTINITIALISED", 10093, "Either the application has not called WSAStartup, or WSAStartup failed.", None,
            "A socket call before WSAStartup (Windows only).",
            "A bug in a native program: call WSAStartup first (.NET and Python do it for you)."),
        new("WSAEDISCON", null, "Graceful shutdown in progress", K.ConnectionReset, "WSAEDISCON", 10101, "Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated a graceful shutdown sequence.", None,
            "The peer has begun a graceful shutdown (Windows only): no more data will come.",
            "Finish reading and close this side, as on a recv() that returns no bytes."),
        new("WSATYPE_NOT_FOUND", null, "Class type not found", K.Other, "WSATYPE_NOT_FOUND", 10109, "The specified class was not found.", None,
            "A service class was not found (Windows name service only).",
            "Check the service name given to the name lookup."),

        new("SocketError", null, "An unspecified socket error", K.Other, null, null, null, ["OSError"],
            "An unspecified socket error (.NET's SocketError.SocketError): the platform gave no precise code.",
            "Run with -v to see the bytes exchanged, and `socketkit netstat` to see the socket's state."),
        new("Success", 0, "Success", K.Other, null, null, null, None,
            "Not an error: the operation succeeded (.NET's SocketError.Success, errno 0).",
            "Nothing to check; if a program reports it as a failure, the failure is elsewhere."),
    ]);

    private static KnownError[] WithDotNetNames(KnownError[] entries) =>
        [.. entries.Select(e => e with
        {
            DotNet = [.. Enum.GetValues<System.Net.Sockets.SocketError>()
                .Where(s => DotNetOnly.TryGetValue(s, out string? name) ? name == e.Name : e.WindowsCode is int code and > 0 && (int)s == code)
                .Select(s => s.ToString())
                .Distinct()],
        })];

    /// <summary>What the entry means and what to check: its own words, or the library guide's summary and <see cref="WhatToCheck"/> for its kind.</summary>
    public static (string Summary, string WhatToCheck) Advice(KnownError entry)
    {
        if (entry.Summary is not null && entry.WhatToCheck is not null)
        {
            return (entry.Summary, entry.WhatToCheck);
        }
        return (SocketErrorGuide.For(entry.Kind).Summary, WhatToCheck.For(entry.Kind));
    }
}
