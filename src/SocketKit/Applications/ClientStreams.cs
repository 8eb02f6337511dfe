using SocketKit.Transport.Tls;

namespace SocketKit.Applications;

/// <summary>Opens the stream a client talks over: the socket itself, or TLS over it when the options ask for TLS.</summary>
internal static class ClientStreams
{
    public static async Task<(Socket Socket, Stream Stream)> ConnectAsync(string host, int port, ClientOptions options, CancellationToken cancellationToken,
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        Socket socket = await Listeners.ConnectAsync(host, port, options.ConnectTimeout, cancellationToken);
        if (options.Tls is null)
        {
            return (socket, new NetworkStream(socket, ownsSocket: true));
        }
        return (socket, await TlsStreams.AuthenticateAsClientAsync(socket, host, options.Tls, options.HandshakeTimeout, cancellationToken, logger));
    }

    /// <summary>A failure while reading or writing the stream, as a socket error when it is one.</summary>
    /// <remarks>With TLS 1.3 a server refuses a client's certificate after the client's handshake is over: its alert is read here.</remarks>
    public static Exception Translate(IOException ex, string operation, string remote, Stream? stream = null) =>
        (stream is null ? TlsStreams.ServerAlert(ex) : TlsStreams.ClientCertificateRefusal(stream, ex)) is { } refused
            ? NetworkException.Refused(refused, operation, remote, ex)
            : NetworkException.FromReadOrWrite(ex, operation, remote);

    /// <summary>The server ended the connection before answering at all: with mutual TLS, its refusal of the client's certificate.</summary>
    public static NetworkException? Refused(Stream stream, string operation, string remote) =>
        TlsStreams.ClientCertificateRefusal(stream) is { } refused ? NetworkException.Refused(refused, operation, remote) : null;
}
