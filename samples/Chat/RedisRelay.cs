using StackExchange.Redis;

namespace Chat;

/// <summary>
/// Relays the chat between servers through one Redis pub/sub channel, as SignalR's Redis backplane relays its
/// messages: each server publishes its clients' lines and delivers the lines the others publish to its own clients.
/// A published message is this server's id, a space, then the line as its clients get it; Redis sends every message
/// to every subscriber, its publisher included, so a server skips those that carry its own id (its clients had them
/// at once). While Redis is away the server goes on relaying among its own clients, says so once, and says so again
/// when Redis is back (the client reconnects and subscribes again by itself).
/// </summary>
public sealed class RedisRelay : IAsyncDisposable
{
    /// <summary>The one channel every chat server publishes to and listens on.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("socketkit-chat");

    private readonly ConnectionMultiplexer _redis; // One per process, as StackExchange.Redis asks.
    private readonly ChatRoom _room;
    private readonly TextWriter _log;
    private readonly string _endPoint;
    private readonly byte[] _tag;
    private int _away; // 1 from the first failure until a connection is restored.

    private RedisRelay(ConnectionMultiplexer redis, ChatRoom room, TextWriter log, string endPoint, string serverId)
    {
        _redis = redis;
        _room = room;
        _log = log;
        _endPoint = endPoint;
        ServerId = serverId;
        _tag = System.Text.Encoding.ASCII.GetBytes(serverId + " ");
    }

    /// <summary>This server's id on the channel: random, so two servers on one machine differ.</summary>
    public string ServerId { get; }

    /// <summary>
    /// Connects to Redis at <paramref name="endPoint"/> (HOST:PORT) and subscribes to the channel. A Redis that does not
    /// answer yet is no error: the server starts, relays locally, and joins the others when Redis comes.
    /// </summary>
    public static async Task<RedisRelay> StartAsync(string endPoint, ChatRoom room, TextWriter log)
    {
        var options = ConfigurationOptions.Parse(endPoint);
        options.AbortOnConnectFail = false; // Keep trying in the background rather than fail the server.
        options.BacklogPolicy = BacklogPolicy.FailFast; // A line said while Redis is away is not relayed late.
        options.ConnectTimeout = 2000;
        options.ClientName = "socketkit-chat";
        string serverId = Guid.NewGuid().ToString("N")[..12];
        await log.WriteLineAsync($"Relaying through Redis at {endPoint} on channel {Channel} as server {serverId}").ConfigureAwait(false);
        ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var relay = new RedisRelay(redis, room, log, endPoint, serverId);
        redis.ConnectionFailed += (_, e) => relay.Away(e.FailureType.ToString());
        redis.ConnectionRestored += (_, _) => relay.Back();
        if (!redis.IsConnected)
        {
            relay.Away("no answer");
        }
        try
        {
            // Recorded even while Redis is away: the multiplexer subscribes again on every reconnect.
            await redis.GetSubscriber().SubscribeAsync(Channel, relay.Receive).ConfigureAwait(false);
        }
        catch (RedisConnectionException)
        {
            relay.Away("no answer");
        }
        return relay;
    }

    /// <summary>Publishes a line of this server's clients for the other servers; dropped while Redis is away.</summary>
    public void Publish(byte[] line)
    {
        if (Volatile.Read(ref _away) == 1)
        {
            return;
        }
        byte[] message = [.. _tag, .. line];
        try
        {
            // Fire and forget: the handler's loop never waits for Redis.
            _redis.GetSubscriber().Publish(Channel, message, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            Away(ex.Message);
        }
    }

    private void Receive(RedisChannel channel, RedisValue message)
    {
        byte[]? bytes = message;
        if (bytes is null || bytes.Length <= _tag.Length || bytes.AsSpan().StartsWith(_tag))
        {
            return; // Our own, already delivered here.
        }
        int space = Array.IndexOf(bytes, (byte)' ');
        if (space > 0)
        {
            _room.Deliver(bytes.AsMemory(space + 1));
        }
    }

    private void Away(string why)
    {
        if (Interlocked.Exchange(ref _away, 1) == 0)
        {
            _log.WriteLine($"Redis at {_endPoint} is unreachable ({why}): relaying among this server's clients only until it is back");
        }
    }

    private void Back()
    {
        if (_redis.IsConnected && Interlocked.Exchange(ref _away, 0) == 1)
        {
            _log.WriteLine($"Redis at {_endPoint} is back: relaying across servers again");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _away, 1); // Closing is not an outage to report.
        await _redis.CloseAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }
}
