using SocketKit.Transport.Connections;
using SocketKit.Transport.Readiness;

namespace SocketKit.Transport.Clients;

/// <summary>
/// One connection of a <see cref="ClientLoop"/>, as its <see cref="IClientLogic"/> holds it: what it writes goes out as
/// the socket takes it (encrypted with TLS), its deadline wakes the logic. Used on the loop's thread only.
/// </summary>
internal sealed class ClientConnection
{
    private long _deadline = long.MaxValue;

    internal ClientConnection(ClientLoop loop, IClientLogic logic)
    {
        Loop = loop;
        Logic = logic;
    }

    public ClientLoop Loop { get; }

    public IClientLogic Logic { get; }

    public ClientPhase Phase { get; internal set; } = ClientPhase.Waiting;

    public bool IsClosed => Phase == ClientPhase.Closed;

    /// <summary>Its bytes, once its connect has started; null while <see cref="ClientPhase.Waiting"/>.</summary>
    public ClientChannel? Channel { get; internal set; }

    /// <summary>When its connect started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); 0 before.</summary>
    public long StartedAt { get; internal set; }

    /// <summary>
    /// Once open, when the logic wants <see cref="IClientLogic.TimedOut"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp); <see cref="long.MaxValue"/>, the default, for never. Cleared when it fires.
    /// </summary>
    public long Deadline
    {
        get => _deadline;
        set
        {
            _deadline = value;
            Loop.Watch(this);
        }
    }

    /// <summary>Queues plaintext and sends what the socket takes now (with TLS, once the handshake is done); the bytes must stay unchanged until sent.</summary>
    public void Write(ReadOnlyMemory<byte> plaintext) => Loop.Write(this, plaintext);

    /// <summary>Closes it; with <paramref name="notify"/> and TLS, close_notify goes first. The logic hears nothing more of it.</summary>
    public void Close(bool notify = false) => Loop.Close(this, notify);

    // The loop's: its registration, its place in the deadline heap, its own deadline while connecting or handshaking,
    // and a failure met outside a turn's service (reported at the end of the turn, never inside the logic's own call).
    internal SelectorKey<ClientConnection>? Key { get; set; }

    internal long QueuedAt { get; set; } = long.MaxValue;

    internal long PhaseDeadline { get; set; } = long.MaxValue;

    internal Exception? PendingFailure { get; set; }

    internal int LiveIndex { get; set; }

    internal void ClearDeadline() => _deadline = long.MaxValue;
}
