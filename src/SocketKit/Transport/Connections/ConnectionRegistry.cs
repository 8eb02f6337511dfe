using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SocketKit.Transport.Connections;

/// <summary>
/// A server's live connections (a server group's: all its listeners'), by id: to find one, list them, or send to all.
/// Safe from any thread; a connection is listed from the moment it is accepted until it is closed.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, ConnectionHandle> _open = new();

    /// <summary>How many connections are open now.</summary>
    public int Count => _open.Count;

    /// <summary>A snapshot of the open connections, in no particular order.</summary>
    public IReadOnlyCollection<ConnectionHandle> All => _open.Values.ToArray();

    /// <summary>The open connection with id <paramref name="id"/>, if any.</summary>
    public bool TryGet(long id, [NotNullWhen(true)] out ConnectionHandle? connection) => _open.TryGetValue(id, out connection);

    /// <summary>
    /// Queues <paramref name="bytes"/> to every open connection but <paramref name="except"/> (see
    /// <see cref="ConnectionHandle.Send"/>): it never waits for any of them, and a client too slow to keep up is cut off
    /// rather than held for. The bytes are shared, not copied: leave them unchanged.
    /// </summary>
    /// <returns>How many connections the bytes were queued to.</returns>
    public int Broadcast(ReadOnlyMemory<byte> bytes, ConnectionHandle? except = null)
    {
        int count = 0;
        foreach (KeyValuePair<long, ConnectionHandle> entry in _open)
        {
            if (!ReferenceEquals(entry.Value, except) && entry.Value.Send(bytes))
            {
                count++;
            }
        }
        return count;
    }

    internal void Add(ConnectionHandle connection) => _open[connection.Id] = connection;

    internal void Remove(ConnectionHandle connection) => _open.TryRemove(connection.Id, out _);
}
