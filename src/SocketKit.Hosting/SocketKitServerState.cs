namespace SocketKit.Hosting;

/// <summary>Where a hosted server is in its life, as its health check reports it.</summary>
public enum SocketKitServerState
{
    /// <summary>The host has not started it yet.</summary>
    NotStarted,

    /// <summary>Every endpoint is bound and serving.</summary>
    Listening,

    /// <summary>Stopping: no longer accepting; requests in flight are finishing.</summary>
    Draining,

    /// <summary>Every connection is closed.</summary>
    Stopped,
}
