namespace SocketKit.Transport.Connections;

/// <summary>
/// A connection as code outside its engine may touch it, from any thread: who it is, bytes to send, work to run on it,
/// and closing it. Every such call is queued and carried out by the thread that serves the connection (its readiness
/// loop, as Netty's <c>EventLoop.execute</c> and asyncio's <c>call_soon_threadsafe</c> do), so a handler never locks
/// and what is sent keeps its order. Handlers reach it through <see cref="ConnectionInfo.Connection"/>; a server's live
/// connections are listed by its <see cref="ConnectionRegistry"/>.
/// </summary>
public sealed class ConnectionHandle
{
    private readonly int _maxQueuedBytes;
    private Posts? _posts; // Made at the first post or the first ask for Closing: most connections see neither.
    private int _scheduled; // 1 while the owner has been asked to run the mailbox and has not begun.
    private volatile bool _closed;

    /// <summary>
    /// What posting to a connection needs, and the lock that guards it (the object itself: private, so no user code
    /// holds it). A lock, not a ConcurrentQueue: its first segment alone is over a kilobyte, for every connection a
    /// broadcast reaches, and posts to one connection rarely contend.
    /// </summary>
    private sealed class Posts
    {
        public Queue<PostedWork>? Mailbox;
        public long QueuedBytes;
        public CancellationTokenSource? Closing;
    }

    /// <summary>What every handle closed before anything was posted to it shares: never changed, as it is closed.</summary>
    private static readonly Posts ClosedPosts = new();

    private Posts GetPosts() => _posts ?? Interlocked.CompareExchange(ref _posts, new Posts(), null) ?? _posts!;

    /// <param name="maxQueuedBytes">What may wait in the mailbox to be sent, in bytes: the server's send buffer limit.</param>
    internal ConnectionHandle(int maxQueuedBytes) => _maxQueuedBytes = maxQueuedBytes;

    /// <summary>Who the connection is: its id, its ends, and (behind a PROXY header) the client the header names.</summary>
    public ConnectionInfo Info { get; internal set; } = null!; // Set by the engine as it tracks the connection.

    /// <summary>The connection's id, unique in its server (or server group).</summary>
    public long Id => Info.Id;

    /// <summary>The peer's address (the client's, as a PROXY header names it).</summary>
    public EndPoint RemoteEndPoint => Info.RemoteEndPoint;

    /// <summary>False once the connection is closed (or closing): what is posted then is dropped.</summary>
    public bool IsOpen => !_closed;

    /// <summary>
    /// Cancelled when the connection closes, for whatever reason: the client went away, a timeout (the handler's
    /// among them), the server's drain ran out, or <see cref="Close"/>. Cancelled on the thread pool, never on the
    /// connection's own thread, so what it wakes does not run on a readiness loop.
    /// </summary>
    public CancellationToken Closing
    {
        get
        {
            Posts posts = GetPosts();
            if (posts == ClosedPosts)
            {
                return new CancellationToken(canceled: true);
            }
            lock (posts)
            {
                if (posts.Closing is null)
                {
                    posts.Closing = new CancellationTokenSource();
                    if (_closed)
                    {
                        posts.Closing.Cancel();
                    }
                }
                return posts.Closing.Token;
            }
        }
    }

    /// <summary>The thread (or gate) that serves the connection; set by the engine before the handler is made.</summary>
    internal IConnectionOwner? Owner { get; set; }

    /// <summary>What the owner keeps for the connection (a readiness loop's entry for it).</summary>
    internal object? OwnerState { get; set; }

    /// <summary>
    /// Queues <paramref name="bytes"/> to be sent after whatever the connection has already been given to send. Never
    /// waits: a peer that does not read is cut off (closed as <see cref="ConnectionCloseReason.SendBufferFull"/>) once
    /// what waits for it would pass <see cref="ServerLimits.MaxSendBufferBytes"/>, so a broadcast never waits for its
    /// slowest client. The bytes are not copied: leave them unchanged.
    /// </summary>
    /// <returns>False when the connection is closed or was just cut off.</returns>
    public bool Send(ReadOnlyMemory<byte> bytes)
    {
        Posts posts = GetPosts();
        if (_closed || posts == ClosedPosts)
        {
            return false;
        }
        if (Interlocked.Add(ref posts.QueuedBytes, bytes.Length) > _maxQueuedBytes)
        {
            Interlocked.Add(ref posts.QueuedBytes, -bytes.Length);
            Enqueue(new PostedWork(PostedWorkKind.CutOff, default, null));
            return false;
        }
        return Enqueue(new PostedWork(PostedWorkKind.Send, bytes, null));
    }

    /// <summary>Closes the connection once what was queued before has been sent.</summary>
    public void Close() => Enqueue(new PostedWork(PostedWorkKind.Close, default, null));

    /// <summary>
    /// Runs <paramref name="work"/> on the connection's own thread, where its handler runs, with the connection's
    /// output: what it writes there is sent, in order, after what was written before. Return
    /// <see cref="NextStep.CloseAfterSending"/> to close the connection after sending. Once it returns, the handler is
    /// given the bytes that waited while it was <see cref="ConnectionPhase.Handling"/>.
    /// </summary>
    /// <returns>False when the connection is closed: the work will not run.</returns>
    public bool Post(Func<IBufferWriter<byte>, NextStep> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Enqueue(new PostedWork(PostedWorkKind.Run, default, work));
    }

    /// <summary>The handler's time ran out: the owner asks it for its last words and closes the connection.</summary>
    internal bool PostHandlerTimeout() => Enqueue(new PostedWork(PostedWorkKind.HandlerTimeout, default, null));

    private bool Enqueue(PostedWork work)
    {
        if (_closed)
        {
            return false;
        }
        Posts posts = GetPosts();
        lock (posts)
        {
            if (_closed)
            {
                return false;
            }
            (posts.Mailbox ??= new Queue<PostedWork>(4)).Enqueue(work);
        }
        // Many posts before the owner runs coalesce into one wake-up (as libuv's uv_async_send).
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            Owner?.Schedule(this);
        }
        return true;
    }

    /// <summary>The owner begins to run the mailbox: posts from now on ask it again.</summary>
    internal void BeginRun() => Volatile.Write(ref _scheduled, 0);

    /// <summary>The next posted work, on the owner's thread.</summary>
    internal bool TryTake(out PostedWork work)
    {
        work = default;
        if (_posts is not { } posts)
        {
            return false;
        }
        bool taken;
        lock (posts)
        {
            taken = posts.Mailbox is { } mailbox && mailbox.TryDequeue(out work);
        }
        if (taken)
        {
            if (work.Kind == PostedWorkKind.Send)
            {
                Interlocked.Add(ref posts.QueuedBytes, -work.Bytes.Length);
            }
            return true;
        }
        return false;
    }

    /// <summary>
    /// The connection is closed: nothing more is accepted, and <see cref="Closing"/> is cancelled on the thread pool
    /// (cancelling runs its callbacks, which would otherwise run on the connection's thread).
    /// </summary>
    internal void MarkClosed()
    {
        _closed = true;
        // A handle never posted to, nor asked for its token, gets what every closed one shares: a post or a token
        // asked for from now on finds it closed, and nothing was made to say so.
        if (Interlocked.CompareExchange(ref _posts, ClosedPosts, null) is not { } posts)
        {
            return;
        }
        CancellationTokenSource? closing;
        lock (posts)
        {
            closing = posts.Closing;
            posts.Mailbox = null;
        }
        if (closing is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.Cancel(), closing, preferLocal: false);
        }
    }
}

/// <summary>Runs a connection's posted work on the thread (or under the gate) that serves the connection.</summary>
internal interface IConnectionOwner
{
    /// <summary>Asks the owner to run <paramref name="connection"/>'s mailbox soon; called from any thread.</summary>
    void Schedule(ConnectionHandle connection);
}

internal enum PostedWorkKind
{
    Send,
    Run,
    Close,
    CutOff,
    HandlerTimeout,
}

/// <summary>One thing posted to a connection: bytes to send, work to run, a close.</summary>
internal readonly record struct PostedWork(PostedWorkKind Kind, ReadOnlyMemory<byte> Bytes, Func<IBufferWriter<byte>, NextStep>? Work);
