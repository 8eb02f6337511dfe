namespace SocketKit.Logging;

/// <summary>
/// Every event SocketKit logs, with a stable id each. The messages follow the tutorial's walkthrough
/// (listening on, accepted connection from, received request, sending, closing connection).
/// Bytes are logged at Trace, so they cost nothing unless asked for; a server's request and response content at Debug
/// (<see cref="ContentLogEvents"/>), as a bounded preview, so that no log line grows with what a client sends.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {EndPoint} ({Engine} engine)")]
    public static partial void Listening(ILogger logger, string endPoint, string engine);

    [LoggerMessage(30, LogLevel.Information, "Listening on {EndPoint} ({Engine} engine, {Loops} loops)")]
    public static partial void ListeningOnLoops(ILogger logger, string endPoint, string engine, int loops);

    [LoggerMessage(2, LogLevel.Information, "Accepted connection {ConnectionId} from {Remote}")]
    public static partial void Accepted(ILogger logger, long connectionId, string remote);

    [LoggerMessage(3, LogLevel.Information, "Closing connection {ConnectionId} to {Remote} ({Reason})")]
    public static partial void Closing(ILogger logger, long connectionId, string remote, string reason);

    [LoggerMessage(65, LogLevel.Information, "Closing connection {ConnectionId} to {Remote} ({Reason}): {Requests} requests, {BytesIn} bytes in, {BytesOut} bytes out, open {Seconds} s")]
    public static partial void ClosingWithCounts(ILogger logger, long connectionId, string remote, string reason, long requests, long bytesIn, long bytesOut, double seconds);

    [LoggerMessage(4, LogLevel.Debug, "Received {Count} bytes on connection {ConnectionId}")]
    public static partial void Received(ILogger logger, long connectionId, int count);

    [LoggerMessage(5, LogLevel.Trace, "Received {Bytes} on connection {ConnectionId}")]
    public static partial void ReceivedBytes(ILogger logger, long connectionId, string bytes);

    [LoggerMessage(6, LogLevel.Debug, "Sending {Count} bytes on connection {ConnectionId}")]
    public static partial void Sending(ILogger logger, long connectionId, int count);

    [LoggerMessage(7, LogLevel.Trace, "Sending {Bytes} on connection {ConnectionId}")]
    public static partial void SendingBytes(ILogger logger, long connectionId, string bytes);

    [LoggerMessage(ContentLogEvents.RequestReceived, LogLevel.Debug, "Received request {Request} on connection {ConnectionId}")]
    public static partial void RequestReceived(ILogger logger, long connectionId, string request);

    [LoggerMessage(ContentLogEvents.ResponseSending, LogLevel.Debug, "Sending response {Response} on connection {ConnectionId}")]
    public static partial void ResponseSending(ILogger logger, long connectionId, string response);

    [LoggerMessage(10, LogLevel.Warning, "Protocol error on connection {ConnectionId} from {Remote}: {Error}: {Detail}")]
    public static partial void ProtocolError(ILogger logger, long connectionId, string remote, string error, string detail);

    [LoggerMessage(11, LogLevel.Warning, "Connection {ConnectionId} from {Remote} failed: {Detail}")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, string remote, string detail);

    [LoggerMessage(12, LogLevel.Debug, "Connection {ConnectionId} from {Remote} was reset by the peer")]
    public static partial void ConnectionReset(ILogger logger, long connectionId, string remote);

    [LoggerMessage(13, LogLevel.Information, "Stopping: no longer accepting connections on {EndPoint}")]
    public static partial void Stopping(ILogger logger, string endPoint);

    [LoggerMessage(14, LogLevel.Warning, "Refused a connection from {Remote}: already serving the maximum of {MaxConnections} connections")]
    public static partial void ConnectionRejected(ILogger logger, string remote, int maxConnections);

    [LoggerMessage(15, LogLevel.Warning, "Stopped after the drain timeout with {Count} connections still busy; they were closed")]
    public static partial void DrainTimedOut(ILogger logger, long count);

    [LoggerMessage(16, LogLevel.Error, "Connection {ConnectionId} from {Remote} closed: its handler failed: {Detail}")]
    public static partial void HandlerFailed(ILogger logger, long connectionId, string remote, string detail);

    [LoggerMessage(17, LogLevel.Warning, "Accepting paused on {EndPoint}: {Reason}; still serving the {Open} connections held, accepting again as descriptors free up ({Count} pauses since the last warning)")]
    public static partial void AcceptPaused(ILogger logger, string endPoint, string reason, long open, long count);

    [LoggerMessage(18, LogLevel.Warning, "The process may open {Limit} descriptors: serving at most {Effective} connections at once, not the {Asked} asked for (raise the limit with ulimit -n, or LimitNOFILE= under systemd)")]
    public static partial void DescriptorLimitLowersMaxConnections(ILogger logger, long limit, int effective, int asked);

    [LoggerMessage(19, LogLevel.Debug, "A connection was reset before it could be served: {Detail}")]
    public static partial void AcceptFailed(ILogger logger, string detail);

    [LoggerMessage(20, LogLevel.Information, "Starting connection {ConnectionId} to {Remote}")]
    public static partial void Connecting(ILogger logger, long connectionId, string remote);

    [LoggerMessage(21, LogLevel.Information, "Received response {Response} on connection {ConnectionId}")]
    public static partial void ResponseReceived(ILogger logger, long connectionId, string response);

    [LoggerMessage(22, LogLevel.Information, "Sending request {Request} on connection {ConnectionId}")]
    public static partial void RequestSending(ILogger logger, long connectionId, string request);

    [LoggerMessage(23, LogLevel.Information, "Sending {Bytes} to connection {ConnectionId}")]
    public static partial void SendingTo(ILogger logger, long connectionId, string bytes);

    [LoggerMessage(24, LogLevel.Information, "Received {Bytes} from connection {ConnectionId}")]
    public static partial void ReceivedFrom(ILogger logger, long connectionId, string bytes);

    [LoggerMessage(25, LogLevel.Trace, "Sending on connection {ConnectionId}: protoheader {ProtoHeader}, JSON header {JsonHeader}, content {Content}")]
    public static partial void SendingFrame(ILogger logger, long connectionId, string protoHeader, string jsonHeader, string content);

    [LoggerMessage(26, LogLevel.Trace, "Received on connection {ConnectionId}: protoheader {ProtoHeader}, JSON header {JsonHeader}, content {Content}")]
    public static partial void ReceivedFrame(ILogger logger, long connectionId, string protoHeader, string jsonHeader, string content);

    [LoggerMessage(43, LogLevel.Error, "Connection {ConnectionId} from {Remote}: the {Route} failed; the client was answered with an error and the connection closed")]
    public static partial void ActionFailed(ILogger logger, long connectionId, string remote, string route, Exception exception);

    [LoggerMessage(44, LogLevel.Warning, "Connection {ConnectionId} from {Remote}: the {Route} did not answer within the handler timeout; the client was answered with an error and the connection closed")]
    public static partial void ActionTimedOut(ILogger logger, long connectionId, string remote, string route);
    [LoggerMessage(60, LogLevel.Warning, "Refused a connection from {Remote}: {Reason} ({Count} refused since the last such line, logged at most once a second)")]
    public static partial void ClientRefused(ILogger logger, string remote, string reason, long count);

    [LoggerMessage(61, LogLevel.Information, "Connection {ConnectionId} from {Remote} presented the client certificate {Subject} (issued by {Issuer})")]
    public static partial void ClientCertificate(ILogger logger, long connectionId, string remote, string subject, string issuer);

    [LoggerMessage(62, LogLevel.Information, "Reloaded the TLS certificate from {CertificatePath}: {Subject}, valid until {NotAfter}; new handshakes use it")]
    public static partial void CertificateReloaded(ILogger logger, string certificatePath, string subject, string notAfter);

    [LoggerMessage(63, LogLevel.Error, "Kept the TLS certificate in use ({Subject}, valid until {NotAfter}): the new one cannot be used: {Reason}")]
    public static partial void CertificateReloadFailed(ILogger logger, string subject, string notAfter, string reason);

    [LoggerMessage(64, LogLevel.Debug, "TLS with {Remote}: {Protocol}, {CipherSuite}; asked for {Name}; the server's certificate {Subject}, issued by {Issuer}, valid until {NotAfter}")]
    public static partial void TlsEstablished(ILogger logger, string remote, string protocol, string cipherSuite, string name, string subject, string issuer, string notAfter);
}
