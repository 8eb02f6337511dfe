using SocketKit.Transport.Connections;

namespace Chat;

/// <summary>
/// Everyone on this server, and (with a relay) everyone on the other servers: a message from a client here goes to
/// every other client here at once, and to the relay for the other servers; what the relay brings goes to every
/// client here.
/// </summary>
public sealed class ChatRoom(TextWriter log)
{
    private volatile ConnectionRegistry? _connections;

    /// <summary>The server's live connections, from its builder: known before the first client connects.</summary>
    public ConnectionRegistry? Connections { get => _connections; set => _connections = value; }

    /// <summary>Where this server's messages go to reach the other servers; null for a server on its own.</summary>
    public RedisRelay? Relay { get; set; }

    /// <summary>A client said its name.</summary>
    public void Join(string name, ConnectionInfo info)
    {
        log.WriteLine($"{name} joined from {info.Remote}");
        // The handle's Closing token is how code outside the loop learns that a connection ended.
        info.Connection?.Closing.Register(() => log.WriteLine($"{name} left"));
    }

    /// <summary>A client here said <paramref name="text"/>: everyone but <paramref name="from"/> hears it.</summary>
    public void Say(string name, string text, ConnectionHandle? from)
    {
        byte[] line = ChatProtocol.Line($"{name}: {text}");
        Deliver(line, except: from);
        Relay?.Publish(line);
    }

    /// <summary>Pushes a whole line to every client here (but one); never waits for a slow one, which is cut off instead.</summary>
    public void Deliver(ReadOnlyMemory<byte> line, ConnectionHandle? except = null) => _connections?.Broadcast(line, except);
}
