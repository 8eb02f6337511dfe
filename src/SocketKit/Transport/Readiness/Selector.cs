namespace SocketKit.Transport.Readiness;

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
    private readonly Socket? _socket;

    internal SelectorKey(Socket? socket, nint descriptor, SelectorEvents events, TData data, int token) =>
        (_socket, Descriptor, Events, Data, Token) = (socket, descriptor, events, data, token);

    /// <summary>The registered socket (Python's key.fileobj).</summary>
    /// <exception cref="InvalidOperationException">A descriptor was registered, not a socket (the server's own loops do).</exception>
    public Socket Socket => _socket ?? throw new InvalidOperationException("a descriptor was registered, not a socket");

    /// <summary>The registered socket; null for a bare descriptor.</summary>
    internal Socket? RegisteredSocket => _socket;

    /// <summary>The registered descriptor (the socket's handle).</summary>
    internal nint Descriptor { get; }

    /// <summary>The events it waits for.</summary>
    public SelectorEvents Events { get; internal set; }

    /// <summary>The caller's data for this socket (Python's key.data).</summary>
    public TData Data { get; internal set; }

    /// <summary>The number the mechanism knows it by: an index into the selector's registrations.</summary>
    internal int Token { get; }

    /// <summary>Which Select call last reported it, and where, so a socket reported twice (kqueue) is one entry.</summary>
    internal int ReadyRound { get; set; }

    internal int ReadyIndex { get; set; }
}

/// <summary>
/// The C# counterpart of Python's selectors.DefaultSelector, so the tutorial's readiness loops map line for line:
/// register sockets with the events they wait for, then Select blocks until some are ready. Built, as Python's, on
/// the best mechanism of the platform (<see cref="SelectorMechanism"/>): epoll on Linux, kqueue on macOS and the
/// BSDs, poll elsewhere; with epoll and kqueue a wake-up costs in proportion to the ready sockets, not the
/// registered ones. One thread, no callbacks; not thread-safe.
/// </summary>
public sealed class Selector<TData> : IDisposable
{
    private readonly SelectorBackend _backend;
    private readonly Dictionary<Socket, SelectorKey<TData>> _keys = [];
    private SelectorKey<TData>?[] _byToken = new SelectorKey<TData>?[64];
    private readonly Stack<int> _freeTokens = new();
    private int _nextToken;
    private readonly List<(int Token, SelectorEvents Events)> _events = [];
    private readonly List<(SelectorKey<TData> Key, SelectorEvents Mask)> _ready = [];
    private int _round;

    /// <summary>A selector on the platform's best mechanism.</summary>
    public Selector() : this(SelectorMechanism.Default)
    {
    }

    /// <summary>A selector on the given mechanism (poll works everywhere; epoll on Linux; kqueue on macOS and the BSDs).</summary>
    /// <exception cref="PlatformNotSupportedException">The mechanism does not exist on this platform.</exception>
    public Selector(SelectorMechanism mechanism)
    {
        Mechanism = SelectorBackend.Resolve(mechanism);
        _backend = SelectorBackend.Create(Mechanism);
    }

    /// <summary>The mechanism in use, never <see cref="SelectorMechanism.Default"/>.</summary>
    public SelectorMechanism Mechanism { get; }

    /// <summary>How many sockets are registered (Python's len(sel.get_map())); bare descriptors, which only the server's own loops register, are not counted.</summary>
    public int Count => _keys.Count;

    /// <summary>Every registration of a socket (Python's sel.get_map().values()).</summary>
    public IReadOnlyCollection<SelectorKey<TData>> Keys => _keys.Values;

    /// <summary>Registers a socket with the events it waits for.</summary>
    /// <exception cref="ArgumentException">The socket is registered already.</exception>
    public SelectorKey<TData> Register(Socket socket, SelectorEvents events, TData data) => Register(socket, events, data, exclusive: false);

    /// <summary>
    /// Registers a socket that other selectors watch too (a listener shared by several loops): with epoll, only one of
    /// them is woken when it becomes ready (EPOLLEXCLUSIVE); its events cannot be modified afterwards.
    /// </summary>
    internal SelectorKey<TData> Register(Socket socket, SelectorEvents events, TData data, bool exclusive)
    {
        if (_keys.ContainsKey(socket))
        {
            throw new ArgumentException("the socket is registered already", nameof(socket));
        }
        SelectorKey<TData> key = Add(socket, socket.Handle, events, data, exclusive);
        _keys.Add(socket, key);
        return key;
    }

    /// <summary>
    /// Registers a bare descriptor (a connection the server accepted without a <see cref="Socket"/>): only its key
    /// finds it again, so it takes no entry in the table of sockets. Unregister it with <see cref="UnregisterClosing(SelectorKey{TData})"/>.
    /// </summary>
    internal SelectorKey<TData> Register(int descriptor, SelectorEvents events, TData data) => Add(null, descriptor, events, data, exclusive: false);

    private SelectorKey<TData> Add(Socket? socket, nint descriptor, SelectorEvents events, TData data, bool exclusive)
    {
        int token = _freeTokens.Count > 0 ? _freeTokens.Pop() : _nextToken++;
        if (token == _byToken.Length)
        {
            Array.Resize(ref _byToken, token * 2);
        }
        var key = new SelectorKey<TData>(socket, descriptor, events, data, token);
        try
        {
            _backend.Add(descriptor, token, events, exclusive);
        }
        catch
        {
            _freeTokens.Push(token); // Not taken after all: the next socket gets it.
            throw;
        }
        _byToken[token] = key;
        return key;
    }

    /// <summary>Changes what a registered socket waits for.</summary>
    public void Modify(Socket socket, SelectorEvents events) => Modify(_keys[socket], events);

    /// <summary>Changes what a registered socket waits for; nothing is asked of the kernel when nothing changes.</summary>
    public void Modify(SelectorKey<TData> key, SelectorEvents events)
    {
        if (key.Events != events)
        {
            _backend.Change(key.Descriptor, key.Token, key.Events, events);
            key.Events = events;
        }
    }

    /// <summary>Forgets a socket; it is not closed. Unregister before closing: a closed descriptor may be reused at once.</summary>
    public void Unregister(Socket socket) => Unregister(socket, closing: false);

    /// <summary>
    /// Forgets a socket that the caller closes right after, and that no other descriptor refers to: epoll and kqueue
    /// drop it by themselves at the close, so no system call is made for it here.
    /// </summary>
    internal void UnregisterClosing(Socket socket) => Unregister(socket, closing: true);

    /// <summary>As <see cref="UnregisterClosing(Socket)"/>, for a registration by descriptor (or by socket).</summary>
    internal void UnregisterClosing(SelectorKey<TData> key)
    {
        if (key.RegisteredSocket is { } socket)
        {
            Unregister(socket, closing: true);
        }
        else if (_byToken[key.Token] == key)
        {
            Forget(key, closing: true);
        }
    }

    private void Unregister(Socket socket, bool closing)
    {
        if (_keys.Remove(socket, out SelectorKey<TData>? key))
        {
            Forget(key, closing);
        }
    }

    private void Forget(SelectorKey<TData> key, bool closing)
    {
        _byToken[key.Token] = null;
        _freeTokens.Push(key.Token);
        _backend.Remove(key.Descriptor, key.Token, key.Events, closing);
    }

    /// <summary>The registration of a socket.</summary>
    public SelectorKey<TData> GetKey(Socket socket) => _keys[socket];

    /// <summary>
    /// Waits until at least one socket is ready or <paramref name="timeout"/> passes (null waits without
    /// limit), and returns the ready ones with what they are ready for. Sleeps while nothing is ready. The list is
    /// reused by the next call.
    /// </summary>
    public SelectorReady<TData> Select(TimeSpan? timeout)
    {
        _ready.Clear();
        _events.Clear();
        int milliseconds = timeout is not { } wait ? -1 : (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, int.MaxValue);
        _backend.Wait(_events, milliseconds);
        int round = ++_round;
        foreach ((int token, SelectorEvents events) in _events)
        {
            // A socket unregistered since (by an earlier entry's handling) or reported for what it no longer waits for is left out.
            if (_byToken[token] is not { } key || (events & key.Events) is var mask && mask == SelectorEvents.None)
            {
                continue;
            }
            if (key.ReadyRound == round)
            {
                _ready[key.ReadyIndex] = (key, _ready[key.ReadyIndex].Mask | mask);
                continue;
            }
            key.ReadyRound = round;
            key.ReadyIndex = _ready.Count;
            _ready.Add((key, mask));
        }
        return new SelectorReady<TData>(_ready);
    }

    /// <summary>Forgets every socket (none is closed) and releases the mechanism.</summary>
    public void Dispose()
    {
        _keys.Clear();
        Array.Clear(_byToken);
        _backend.Dispose();
    }
}
