namespace SocketKit.Transport;

/// <summary>Why a server closed a connection; the log line and the counters say which.</summary>
public enum ConnectionCloseReason
{
    /// <summary>The peer closed its side.</summary>
    PeerClosed,
    /// <summary>The handler finished the conversation (a response without keep-alive, a protocol error answered).</summary>
    Done,
    /// <summary>The peer reset the connection or the socket failed.</summary>
    Failed,
    /// <summary>A whole request did not arrive within <see cref="ServerTimeouts.HeaderTimeout"/>.</summary>
    HeaderTimeout,
    /// <summary>No request came within <see cref="ServerTimeouts.IdleTimeout"/> after the last one.</summary>
    IdleTimeout,
    /// <summary>The peer read a response slower than <see cref="ServerTimeouts.MinResponseBytesPerSecond"/>.</summary>
    SlowReader,
    /// <summary>The handler wrote more than <see cref="ServerLimits.MaxSendBufferBytes"/> waiting to be sent.</summary>
    SendBufferFull,
    /// <summary>The server was already serving <see cref="ServerLimits.MaxConnections"/> connections.</summary>
    TooManyConnections,
    /// <summary>The server is stopping and the connection had no request in flight.</summary>
    ServerStopping,
    /// <summary>The server stopped and the connection was still busy when <see cref="ServerTimeouts.DrainTimeout"/> ran out.</summary>
    DrainTimeout,
    /// <summary>The peer sent a request's content slower than <see cref="ServerTimeouts.MinRequestContentBytesPerSecond"/>.</summary>
    SlowRequestContent,
}

/// <summary>The words the log uses for each reason.</summary>
public static class ConnectionCloseReasons
{
    /// <summary>A short phrase for the "Closing connection N (...)" line.</summary>
    public static string Describe(this ConnectionCloseReason reason, ServerTimeouts? timeouts = null) => reason switch
    {
        ConnectionCloseReason.PeerClosed => "peer closed",
        ConnectionCloseReason.Done => "done",
        ConnectionCloseReason.Failed => "failed",
        ConnectionCloseReason.HeaderTimeout => timeouts is null ? "header timeout" : $"header timeout: no whole request within {Durations.Format(timeouts.HeaderTimeout)}",
        ConnectionCloseReason.IdleTimeout => timeouts is null ? "idle timeout" : $"idle timeout: no request within {Durations.Format(timeouts.IdleTimeout)}",
        ConnectionCloseReason.SlowReader => timeouts is null ? "slow reader" : $"slow reader: the peer read slower than {timeouts.MinResponseBytesPerSecond:0.##} bytes/s",
        ConnectionCloseReason.SlowRequestContent => timeouts is null ? "slow request content" : $"slow request content: the peer sent content slower than {timeouts.MinRequestContentBytesPerSecond:0.##} bytes/s",
        ConnectionCloseReason.SendBufferFull => "send buffer full: the response would exceed the per-connection send buffer limit",
        ConnectionCloseReason.TooManyConnections => "too many connections",
        ConnectionCloseReason.ServerStopping => "server stopping",
        ConnectionCloseReason.DrainTimeout => timeouts is null ? "drain timeout" : $"drain timeout: still busy {Durations.Format(timeouts.DrainTimeout)} after the server began to stop",
        _ => reason.ToString(),
    };
}
