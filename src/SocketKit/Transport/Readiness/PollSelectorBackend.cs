using System.Runtime.InteropServices;
using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// poll(2), or WSAPoll on Windows, as Python's PollSelector: the registered sockets live in one array handed to the
/// kernel whole at every wait, one entry per socket (so, unlike Socket.Select's three lists, it never asks for more
/// entries than the process has descriptors). A wait costs in proportion to the registered sockets.
/// </summary>
internal sealed unsafe class PollSelectorBackend : SelectorBackend
{
    private static readonly bool Windows = OperatingSystem.IsWindows();
    private PollFd[] _unix = new PollFd[64];
    private WsaPollFd[] _windows = Windows ? new WsaPollFd[64] : [];
    private int[] _tokens = new int[64];
    private int[] _positions = new int[64]; // By token: where its entry is in the arrays above.
    private int _count;

    public override void Add(nint descriptor, int token, SelectorEvents events, bool exclusive)
    {
        if (_count == _tokens.Length)
        {
            Array.Resize(ref _tokens, _count * 2);
            if (Windows) Array.Resize(ref _windows, _count * 2); else Array.Resize(ref _unix, _count * 2);
        }
        if (token >= _positions.Length)
        {
            Array.Resize(ref _positions, Math.Max(token + 1, _positions.Length * 2));
        }
        int at = _count++;
        _tokens[at] = token;
        _positions[token] = at;
        if (Windows) _windows[at] = new WsaPollFd { Fd = descriptor, Events = Mask(events) };
        else _unix[at] = new PollFd { Fd = (int)descriptor, Events = Mask(events) };
    }

    public override void Change(nint descriptor, int token, SelectorEvents from, SelectorEvents to)
    {
        int at = _positions[token];
        if (Windows) _windows[at].Events = Mask(to); else _unix[at].Events = Mask(to);
    }

    public override void Remove(nint descriptor, int token, SelectorEvents events, bool closing)
    {
        // The last entry takes the removed one's place.
        int at = _positions[token], last = --_count;
        _tokens[at] = _tokens[last];
        _positions[_tokens[at]] = at;
        if (Windows) _windows[at] = _windows[last]; else _unix[at] = _unix[last];
    }

    public override void Wait(List<(int Token, SelectorEvents Events)> ready, int timeoutMilliseconds)
    {
        int n;
        if (Windows)
        {
            fixed (WsaPollFd* fds = _windows) n = WSAPoll(fds, (uint)_count, timeoutMilliseconds);
        }
        else
        {
            fixed (PollFd* fds = _unix) n = poll(fds, (nuint)_count, timeoutMilliseconds);
        }
        if (n < 0)
        {
            if (!Windows && Marshal.GetLastPInvokeError() == EINTR) return;
            throw Failure(Windows ? "WSAPoll" : "poll");
        }
        for (int i = 0; i < _count && n > 0; i++)
        {
            short revents = Windows ? _windows[i].REvents : _unix[i].REvents;
            if (revents == 0) continue;
            n--;
            (short readable, short writable) = Windows ? (WSA_POLLIN, WSA_POLLOUT) : (POLLIN, POLLOUT);
            // As Python's PollSelector: anything but "readable" counts as writable, anything but "writable" as readable.
            var events = SelectorEvents.None;
            if ((revents & ~readable) != 0) events |= SelectorEvents.Write;
            if ((revents & ~writable) != 0) events |= SelectorEvents.Read;
            ready.Add((_tokens[i], events));
        }
    }

    private static short Mask(SelectorEvents events) => Windows
        ? (short)(((events & SelectorEvents.Read) != 0 ? WSA_POLLIN : 0) | ((events & SelectorEvents.Write) != 0 ? WSA_POLLOUT : 0))
        : (short)(((events & SelectorEvents.Read) != 0 ? POLLIN : 0) | ((events & SelectorEvents.Write) != 0 ? POLLOUT : 0));

    public override void Dispose()
    {
    }
}
