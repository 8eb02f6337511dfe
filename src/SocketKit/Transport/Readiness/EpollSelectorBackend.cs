using System.Runtime.InteropServices;
using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// Linux's epoll, level-triggered as Python's EpollSelector: a socket stays ready until it is served, so a loop that
/// serves part of what is ready (a bounded accept, a read of one buffer) is woken again for the rest.
/// </summary>
internal sealed unsafe class EpollSelectorBackend : SelectorBackend
{
    private const int MaxEvents = 512;
    private readonly int _epoll;
    private readonly byte* _events;

    public EpollSelectorBackend()
    {
        _epoll = epoll_create1(EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw Failure("epoll_create1");
        }
        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollEventSize));
    }

    public override void Add(nint descriptor, int token, SelectorEvents events, bool exclusive) =>
        Control(EPOLL_CTL_ADD, descriptor, token, Mask(events) | (exclusive ? EPOLLEXCLUSIVE : 0));

    public override void Change(nint descriptor, int token, SelectorEvents from, SelectorEvents to) => Control(EPOLL_CTL_MOD, descriptor, token, Mask(to));

    public override void Remove(nint descriptor, int token, SelectorEvents events, bool closing)
    {
        // Closing the descriptor (it is never duplicated) takes it out of the epoll set: no system call for that.
        if (!closing) Control(EPOLL_CTL_DEL, descriptor, token, 0);
    }

    public override void Wait(List<(int Token, SelectorEvents Events)> ready, int timeoutMilliseconds)
    {
        int n = epoll_wait(_epoll, _events, MaxEvents, timeoutMilliseconds);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == EINTR) return;
            throw Failure("epoll_wait");
        }
        for (int i = 0; i < n; i++)
        {
            byte* e = _events + (i * EpollEventSize);
            uint flags = *(uint*)e;
            int token = (int)*(ulong*)(e + EpollDataOffset);
            // As Python's EpollSelector: anything but "readable" counts as writable, anything but "writable" as readable.
            var events = SelectorEvents.None;
            if ((flags & ~EPOLLIN) != 0) events |= SelectorEvents.Write;
            if ((flags & ~EPOLLOUT) != 0) events |= SelectorEvents.Read;
            ready.Add((token, events));
        }
    }

    private void Control(int op, nint descriptor, int token, uint mask)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = mask;
        *(ulong*)(ev + EpollDataOffset) = (ulong)token;
        if (epoll_ctl(_epoll, op, (int)descriptor, ev) != 0)
        {
            throw Failure("epoll_ctl");
        }
    }

    private static uint Mask(SelectorEvents events) =>
        ((events & SelectorEvents.Read) != 0 ? EPOLLIN : 0) | ((events & SelectorEvents.Write) != 0 ? EPOLLOUT : 0);

    public override void Dispose()
    {
        if (_epoll >= 0) close(_epoll);
        NativeMemory.Free(_events);
    }
}
