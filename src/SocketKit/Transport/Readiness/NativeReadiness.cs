using System.Runtime.InteropServices;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// Every system call the readiness layer makes, in one place: epoll (Linux), kqueue (macOS and the BSDs), poll
/// (Unix) or WSAPoll (Windows), and the descriptor limit. .NET exposes none of these for sockets it does not drive
/// itself; the layouts below are the C structs', written out because they differ by platform.
/// </summary>
internal static unsafe partial class NativeReadiness
{
    // <errno.h>, Linux's values.
    public const int EINTR = 4, EAGAIN = 11, EPROTO = 71, ECONNABORTED = 103;

    // <sys/epoll.h>
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    /// <summary>Wake one waiter, not all (Linux 4.5+): loops sharing a listener do not all wake for one connection.</summary>
    public const uint EPOLLEXCLUSIVE = 1u << 28;

    /// <summary>struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    // <sys/event.h>
    public const short EVFILT_READ = -1, EVFILT_WRITE = -2;
    public const ushort EV_ADD = 0x1, EV_DELETE = 0x2, EV_ERROR = 0x4000, EV_EOF = 0x8000;

    /// <summary>struct kevent on macOS and 64-bit BSDs before FreeBSD 12: ident, filter, flags, fflags, data, udata.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KEvent
    {
        public nuint Ident;
        public short Filter;
        public ushort Flags;
        public uint FFlags;
        public nint Data;
        public nint UData;
    }

    /// <summary>FreeBSD 12+ appends four 64-bit extension words to struct kevent.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KEventFreeBsd
    {
        public KEvent Event;
        public ulong Ext0, Ext1, Ext2, Ext3;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kqueue();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kevent(int kq, void* changelist, int nchanges, void* eventlist, int nevents, TimeSpec* timeout);

    // <poll.h>: the same struct everywhere on Unix; Windows' WSAPOLLFD holds a SOCKET (pointer-sized) and other bits.
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WsaPollFd
    {
        public nint Fd;
        public short Events;
        public short REvents;
    }

    public const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public const short WSA_POLLIN = 0x300, WSA_POLLOUT = 0x10, WSA_POLLERR = 0x1, WSA_POLLHUP = 0x2, WSA_POLLNVAL = 0x4;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport("ws2_32.dll", SetLastError = true)]
    public static partial int WSAPoll(WsaPollFd* fds, uint nfds, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int sockfd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int sockfd, byte* buffer, nint length, int flags);

    // <sys/socket.h>, Linux's values: the readiness loops accept and close connections without a Socket object.
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int SHUT_RDWR = 2;
    public const int SOL_SOCKET = 1, SO_LINGER = 13, IPPROTO_TCP = 6, TCP_NODELAY = 1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int sockfd, byte* address, uint* addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int sockfd, int how);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int sockfd, int level, int name, void* value, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockname(int sockfd, byte* address, uint* addressLength);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int connect(int sockfd, byte* address, int length);

    // <sys/resource.h>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>RLIMIT_NOFILE: 7 on Linux, 8 on macOS and the BSDs.</summary>
    public static int RlimitNoFile => OperatingSystem.IsLinux() ? 7 : 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getrlimit(int resource, RLimit* limit);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setrlimit(int resource, RLimit* limit);
}
