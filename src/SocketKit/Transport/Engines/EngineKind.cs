namespace SocketKit.Transport.Engines;

/// <summary>How a server moves bytes; each serves the same handlers.</summary>
public enum EngineKind
{
    /// <summary>Blocking sockets, a thread per connection: the tutorial's first programs.</summary>
    Blocking,

    /// <summary>One thread, non-blocking sockets and a readiness loop: the tutorial's selectors programs.</summary>
    Select,
}
