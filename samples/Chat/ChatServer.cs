using System.Net;
using SocketKit.Transport;
using SocketKit.Transport.Errors;
using SocketKit.Transport.Listening;

namespace Chat;

/// <summary>The chat server: a SocketKit server whose handlers push each client's lines to the others.</summary>
public static class ChatServer
{
    /// <summary>
    /// Chat clients sit quietly for long stretches (the library's default idle timeout, 2 minutes, suits requests and
    /// answers): a client may stay silent for an hour before it is closed.
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(1);

    /// <summary>Serves on <paramref name="endPoint"/> until <paramref name="stop"/> is cancelled.</summary>
    /// <returns>The exit code: 0 once stopped, 1 when the port cannot be bound.</returns>
    public static async Task<int> RunAsync(IPEndPoint endPoint, string? redis, CancellationToken stop)
    {
        TextWriter log = Console.Out;
        var room = new ChatRoom(log);
        ServerGroup server;
        try
        {
            var builder = new ServerBuilder(new ServerOptions { EndPoint = endPoint, Timeouts = new ServerTimeouts { IdleTimeout = IdleTimeout } });
            room.Connections = builder.Connections; // Known before the first client connects.
            server = builder.UseHandler(info => new ChatHandler(room, info)).Start();
        }
        catch (NetworkException ex)
        {
            await Console.Error.WriteLineAsync($"Chat: {ex.Message}");
            return 1;
        }
        await using (server)
        {
            await log.WriteLineAsync($"Listening on {EndPoints.Format(server.LocalEndPoint)}");
            RedisRelay? relay = null;
            if (redis is not null)
            {
                relay = await RedisRelay.StartAsync(redis, room, log);
                room.Relay = relay;
            }
            try
            {
                await server.Completion.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                await log.WriteLineAsync("Stopping");
            }
            room.Relay = null;
            if (relay is not null)
            {
                await relay.DisposeAsync();
            }
        }
        return 0;
    }
}
