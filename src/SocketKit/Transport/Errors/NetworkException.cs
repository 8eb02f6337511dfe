using SocketKit.Transport.Settings;
namespace SocketKit.Transport.Errors;

/// <summary>
/// A socket operation failed, said in words: what was tried, where, and what the error means.
/// Carries the classified kind so callers decide without parsing messages.
/// </summary>
public sealed class NetworkException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NetworkException(SocketErrorKind kind, string operation, string? endPoint, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Operation = operation;
        EndPoint = endPoint;
    }

    /// <summary>The kind of failure.</summary>
    public SocketErrorKind Kind { get; }

    /// <summary>What was being done: "connect", "bind", "receive", "send", "resolve".</summary>
    public string Operation { get; }

    /// <summary>The address involved, as text, when there is one.</summary>
    public string? EndPoint { get; }

    /// <summary>For a failure after connecting: how far the exchange had got. Null for failures before or while connecting.</summary>
    public ExchangeProgress? Progress { get; init; }

    /// <summary>For a refused TLS connection: why, where the client can tell; null otherwise.</summary>
    public Tls.TlsRefusal? TlsRefusal { get; init; }

    /// <summary>What the error means: its errno and what happened, on this kind of endpoint.</summary>
    public SocketErrorAdvice Advice => SocketErrorGuide.For(Kind, EndPoint);

    /// <summary>Wraps a SocketException raised while doing <paramref name="operation"/> on <paramref name="endPoint"/>.</summary>
    public static NetworkException From(SocketException ex, string operation, EndPoint? endPoint) =>
        From(ex, operation, endPoint is null ? null : EndPoints.Format(endPoint));

    /// <summary>Wraps a SocketException raised while doing <paramref name="operation"/> on <paramref name="endPoint"/>.</summary>
    public static NetworkException From(SocketException ex, string operation, string? endPoint)
    {
        SocketErrorKind kind = SocketErrorGuide.Classify(ex.SocketErrorCode);
        SocketErrorAdvice advice = SocketErrorGuide.For(kind);
        string where = endPoint is null ? "" : $" {endPoint}";
        string message = kind switch
        {
            SocketErrorKind.ConnectionRefused => $"connection refused: nothing is listening on{where}",
            SocketErrorKind.AddressInUse => $"address already in use: another socket is bound to{where}",
            SocketErrorKind.HostNotFound => $"could not resolve{where}: {ex.Message}",
            SocketErrorKind.PermissionDenied => $"permission denied to {operation}{where}",
            SocketErrorKind.Other => $"{operation}{where} failed: {ex.Message}",
            _ => $"{operation}{where} failed: {advice.Summary.TrimEnd('.')}",
        };
        return new NetworkException(kind, operation, endPoint, message, ex);
    }

    /// <summary>
    /// Wraps a failed connect. A Unix socket path with no file behind it fails with ENOENT, which .NET reports as
    /// "address not available"; for the user it means what a refused TCP connect means: nothing listens there.
    /// </summary>
    public static NetworkException FromConnect(SocketException ex, EndPoint endPoint) =>
        endPoint is UnixDomainSocketEndPoint && ex.SocketErrorCode == SocketError.AddressNotAvailable
            ? new NetworkException(SocketErrorKind.ConnectionRefused, "connect to", EndPoints.Format(endPoint),
                $"connection refused: there is no socket file at {EndPoints.Format(endPoint)}, so nothing is listening there", ex)
            : endPoint is UnixDomainSocketEndPoint unix && ex.SocketErrorCode == SocketError.ConnectionRefused && IsRegularFile(unix.ToString())
                ? new NetworkException(SocketErrorKind.ConnectionRefused, "connect to", EndPoints.Format(endPoint),
                    $"connection refused: {unix} is a regular file, not a socket, so nothing is listening there", ex)
                : From(ex, "connect to", endPoint);

    /// <summary>True when <paramref name="path"/> is a file that opens for reading: a socket file does not (ENXIO).</summary>
    private static bool IsRegularFile(string path)
    {
        try
        {
            using FileStream _ = File.OpenRead(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A timeout of our own (not the kernel's), with what was awaited and for how long.</summary>
    public static NetworkException Timeout(string operation, string? endPoint, TimeSpan after) =>
        new(SocketErrorKind.TimedOut, operation, endPoint,
            $"{operation}{(endPoint is null ? "" : " " + endPoint)} timed out after {Durations.Format(after)}");

    /// <summary>A server's refusal of this client's certificate (mutual TLS), as every client reports it, over a stream or through a pump.</summary>
    internal static NetworkException Refused(Tls.TlsProblem refused, string operation, string remote, Exception? inner = null) =>
        new(SocketErrorKind.TlsFailed, operation, remote, $"{operation} {remote} failed: {refused}", inner) { TlsRefusal = refused.Refusal };

    /// <summary>A client's read or write that failed other than by a refusal: the socket error it is, else the TLS record that could not be read.</summary>
    internal static NetworkException FromReadOrWrite(IOException ex, string operation, string remote) =>
        ex.InnerException is SocketException socketError ? From(socketError, operation, remote)
            : new NetworkException(SocketErrorKind.TlsFailed, operation, remote, $"{operation} {remote} failed: {ex.Message.TrimEnd('.')}", ex);
}
