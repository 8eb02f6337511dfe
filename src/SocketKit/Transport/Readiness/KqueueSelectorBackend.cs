using System.Runtime.InteropServices;
using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// kqueue, on macOS and the BSDs, as Python's KqueueSelector: one filter per event a socket waits for (read, write),
/// added and deleted as the events change; a wait may report a socket twice, once per filter.
/// </summary>
internal sealed unsafe class KqueueSelectorBackend : SelectorBackend
{
    private const int MaxEvents = 512;
    // FreeBSD 12+ has a longer struct kevent; the first fields are the same.
    private static readonly int EventSize = OperatingSystem.IsFreeBSD() ? sizeof(KEventFreeBsd) : sizeof(KEvent);
    private readonly int _kqueue;
    private readonly byte* _events;

    public KqueueSelectorBackend()
    {
        _kqueue = kqueue();
        if (_kqueue < 0)
        {
            throw Failure("kqueue");
        }
        _events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * EventSize));
    }

    public override void Add(nint descriptor, int token, SelectorEvents events, bool exclusive) =>
        Change(descriptor, token, SelectorEvents.None, events);

    public override void Change(nint descriptor, int token, SelectorEvents from, SelectorEvents to)
    {
        byte* changes = stackalloc byte[2 * EventSize];
        new Span<byte>(changes, 2 * EventSize).Clear();
        int n = 0;
        foreach ((SelectorEvents which, short filter) in (ReadOnlySpan<(SelectorEvents, short)>)[(SelectorEvents.Read, EVFILT_READ), (SelectorEvents.Write, EVFILT_WRITE)])
        {
            bool had = (from & which) != 0, has = (to & which) != 0;
            if (had != has)
            {
                var change = (KEvent*)(changes + (n++ * EventSize));
                change->Ident = (nuint)(int)descriptor;
                change->Filter = filter;
                change->Flags = has ? EV_ADD : EV_DELETE;
                change->UData = token;
            }
        }
        if (n > 0 && kevent(_kqueue, changes, n, null, 0, null) < 0)
        {
            throw Failure("kevent");
        }
    }

    public override void Remove(nint descriptor, int token, SelectorEvents events, bool closing)
    {
        // Closing the descriptor deletes its filters.
        if (!closing) Change(descriptor, token, events, SelectorEvents.None);
    }

    public override void Wait(List<(int Token, SelectorEvents Events)> ready, int timeoutMilliseconds)
    {
        var timeout = new TimeSpec { Seconds = timeoutMilliseconds / 1000, Nanoseconds = timeoutMilliseconds % 1000 * 1_000_000 };
        int n = kevent(_kqueue, null, 0, _events, MaxEvents, timeoutMilliseconds < 0 ? null : &timeout);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == EINTR) return;
            throw Failure("kevent");
        }
        for (int i = 0; i < n; i++)
        {
            var e = (KEvent*)(_events + (i * EventSize));
            ready.Add(((int)e->UData, e->Filter == EVFILT_WRITE ? SelectorEvents.Write : SelectorEvents.Read));
        }
    }

    public override void Dispose()
    {
        if (_kqueue >= 0) close(_kqueue);
        NativeMemory.Free(_events);
    }
}
