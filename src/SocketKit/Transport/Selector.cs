using System.Net.Sockets;

namespace SocketKit.Transport;

/// <summary>What a registered socket waits for, as Python's selectors.EVENT_READ and EVENT_WRITE.</summary>
[Flags]
public enum SelectorEvents
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Readable: data, a pending connection on a listener, or the peer's close.</summary>
    Read = 1,
    /// <summary>Writable: room in the send buffer, or a non-blocking connect has finished.</summary>
    Write = 2,
}

/// <summary>A registration: the socket, what it waits for, and the caller's data (Python's SelectorKey).</summary>
public sealed class SelectorKey<TData>
{
    internal SelectorKey(Socket socket, SelectorEvents events, TData data) => (Socket, Events, Data) = (socket, events, data);

    /// <summary>The registered socket (Python's key.fileobj).</summary>
    public Socket Socket { get; }

    /// <summary>The events it waits for.</summary>
    public SelectorEvents Events { get; internal set; }

    /// <summary>The caller's data for this socket (Python's key.data).</summary>
    public TData Data { get; internal set; }
}

/// <summary>
/// The C# counterpart of Python's selectors.DefaultSelector, so the tutorial's readiness loops map
/// line for line: register sockets with the events they wait for, then Select blocks until some are
/// ready. Built on Socket.Select (poll(2) on Linux); one thread, no callbacks.
/// </summary>
public sealed class Selector<TData> : IDisposable
{
    private readonly Dictionary<Socket, SelectorKey<TData>> _keys = [];
    private readonly List<Socket> _read = [];
    private readonly List<Socket> _write = [];
    private readonly List<Socket> _error = [];
    private readonly List<(SelectorKey<TData> Key, SelectorEvents Mask)> _ready = [];
    private readonly Dictionary<Socket, int> _readyIndex = [];

    /// <summary>How many sockets are registered (Python's len(sel.get_map())).</summary>
    public int Count => _keys.Count;

    /// <summary>Every registration (Python's sel.get_map().values()).</summary>
    public IReadOnlyCollection<SelectorKey<TData>> Keys => _keys.Values;

    /// <summary>Registers a socket with the events it waits for.</summary>
    public SelectorKey<TData> Register(Socket socket, SelectorEvents events, TData data)
    {
        var key = new SelectorKey<TData>(socket, events, data);
        _keys.Add(socket, key);
        return key;
    }

    /// <summary>Changes what a registered socket waits for.</summary>
    public void Modify(Socket socket, SelectorEvents events) => _keys[socket].Events = events;

    /// <summary>Forgets a socket; it is not closed.</summary>
    public void Unregister(Socket socket) => _keys.Remove(socket);

    /// <summary>The registration of a socket.</summary>
    public SelectorKey<TData> GetKey(Socket socket) => _keys[socket];

    /// <summary>
    /// Waits until at least one socket is ready or <paramref name="timeout"/> passes (null waits without
    /// limit), and returns the ready ones with what they are ready for. Sleeps while nothing is ready.
    /// </summary>
    public IReadOnlyList<(SelectorKey<TData> Key, SelectorEvents Mask)> Select(TimeSpan? timeout)
    {
        _read.Clear();
        _write.Clear();
        _error.Clear();
        foreach (SelectorKey<TData> key in _keys.Values)
        {
            if ((key.Events & SelectorEvents.Read) != 0) _read.Add(key.Socket);
            if ((key.Events & SelectorEvents.Write) != 0) _write.Add(key.Socket);
            if (key.Events != SelectorEvents.None) _error.Add(key.Socket);
        }
        _ready.Clear();
        _readyIndex.Clear();
        if (_error.Count == 0)
        {
            if (timeout is { } pause)
            {
                Thread.Sleep(pause);
            }
            return _ready;
        }
        int micros = timeout is null ? -1 : (int)Math.Min(int.MaxValue, Math.Max(0, timeout.Value.Ticks / 10));
        Socket.Select(_read, _write, _error, micros);
        // Socket.Select leaves only the ready sockets in each list, so this walks the ready ones, not all.
        foreach (Socket socket in _read) Add(socket, SelectorEvents.Read);
        foreach (Socket socket in _write) Add(socket, SelectorEvents.Write);
        // An error condition is reported as what the socket waits for, as Python's selectors do, so the next call surfaces it.
        foreach (Socket socket in _error) Add(socket, _keys[socket].Events);
        return _ready;
    }

    private void Add(Socket socket, SelectorEvents events)
    {
        SelectorKey<TData> key = _keys[socket];
        if (_readyIndex.TryGetValue(socket, out int i))
        {
            _ready[i] = (key, _ready[i].Mask | events);
            return;
        }
        _readyIndex[socket] = _ready.Count;
        _ready.Add((key, events));
    }

    /// <summary>Forgets every socket; none is closed.</summary>
    public void Dispose() => _keys.Clear();
}
