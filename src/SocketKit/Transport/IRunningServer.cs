namespace SocketKit.Transport;

/// <summary>A server that is serving: where it listens, when it has stopped, and how to stop it.</summary>
public interface IRunningServer : IAsyncDisposable
{
    /// <summary>The bound address (the first, where there are several), with the port the system chose for port 0.</summary>
    EndPoint LocalEndPoint { get; }

    /// <summary>Completes when the server has stopped and every connection is closed.</summary>
    Task Completion { get; }

    /// <summary>Stops accepting, lets requests in flight finish within the drain timeout, and completes when every connection is closed.</summary>
    Task StopAsync();
}
