using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace SocketKit.Transport.Tls;

/// <summary>Turns a connected socket into a TLS stream, each handshake bounded in time and its failures said in words.</summary>
public static class TlsStreams
{
    /// <summary>Runs the client side of the handshake over <paramref name="socket"/> (the stream owns it then).</summary>
    /// <exception cref="NetworkException">The handshake failed (kind <see cref="SocketErrorKind.TlsFailed"/>), timed out, or the connection broke.</exception>
    public static async Task<SslStream> AuthenticateAsClientAsync(Socket socket, string host, TlsClientOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string remote = EndPoints.Format(socket.RemoteEndPoint!);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await stream.AuthenticateAsClientAsync(options.ToSslOptions(host), timer.Token);
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            throw NetworkException.Timeout("TLS handshake with", remote, timeout);
        }
        catch (AuthenticationException ex)
        {
            await stream.DisposeAsync();
            throw new NetworkException(SocketErrorKind.TlsFailed, "TLS handshake with", remote, DescribeHandshakeFailure(ex, remote), ex);
        }
        catch (IOException ex)
        {
            await stream.DisposeAsync();
            throw ex.InnerException is SocketException socketError ? NetworkException.From(socketError, "TLS handshake with", remote)
                : new NetworkException(SocketErrorKind.TlsFailed, "TLS handshake with", remote, DescribeHandshakeFailure(ex, remote), ex);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>A failed handshake with <paramref name="remote"/> in the words the other clients use.</summary>
    internal static string DescribeHandshakeFailure(Exception failure, string remote) => failure is AuthenticationException refused
        ? $"TLS handshake with {remote} failed: {Explain(refused)}"
        : $"TLS handshake with {remote} failed: the server closed the connection (is it speaking TLS?)";

    /// <summary>Says in words why a certificate was refused, with what to do about it.</summary>
    internal static string Explain(AuthenticationException ex)
    {
        string text = ex.Message;
        if (text.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal))
        {
            return "the server's certificate is for another name";
        }
        if (text.Contains("RemoteCertificateChainErrors", StringComparison.Ordinal) || text.Contains("UntrustedRoot", StringComparison.Ordinal))
        {
            return "the server's certificate is not trusted (unknown issuer or self-signed); give its CA with --tls-ca, or --tls-insecure to skip the check";
        }
        if (text.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal))
        {
            return "the server's certificate does not chain to the given CA (--tls-ca), or is for another name";
        }
        return text.TrimEnd('.');
    }
}
