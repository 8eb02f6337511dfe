using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Settings;

namespace SocketKit.Transport.Tls;

/// <summary>Turns a connected socket into a TLS stream, each handshake bounded in time and its failures said in words.</summary>
public static class TlsStreams
{
    /// <summary>Runs the client side of the handshake over <paramref name="socket"/> (the stream owns it then).</summary>
    /// <exception cref="NetworkException">The handshake failed (kind <see cref="SocketErrorKind.TlsFailed"/>), timed out, or the connection broke.</exception>
    /// <param name="socket">The connected socket.</param>
    /// <param name="host">The host the client was given: the name asked for unless <see cref="TlsClientOptions.ServerName"/> says otherwise.</param>
    /// <param name="options">What to trust, what to ask for, what to give.</param>
    /// <param name="timeout">The longest the handshake may take.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <param name="logger">Where to say, at Debug, what was negotiated: protocol, cipher suite, the server's certificate.</param>
    public static async Task<SslStream> AuthenticateAsClientAsync(Socket socket, string host, TlsClientOptions options, TimeSpan timeout, CancellationToken cancellationToken = default,
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        string remote = EndPoints.Format(socket.RemoteEndPoint!);
        // What the server sent first tells a plain server (no answer, or bytes that are not a TLS record) from a TLS one.
        var first = new FirstBytesStream(new NetworkStream(socket, ownsSocket: true));
        var stream = new SslStream(first);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        var seen = new ServerCertificateSeen(options.TargetHost(host))
        {
            Given = options.ClientCertificate,
            Describe = logger is not null && logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug),
        };
        try
        {
            await stream.AuthenticateAsClientAsync(options.ToSslOptions(host, seen), timer.Token);
            if (logger is not null)
            {
                LogEstablished(logger, remote, stream, seen.AskedName, seen.Certificate);
            }
            s_seen.AddOrUpdate(stream, seen);
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync();
            throw ClientHandshakeTimedOut(remote, timeout, answered: first.Count > 0);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await stream.DisposeAsync();
            throw ClientHandshakeFailed(ex, first.Bytes, remote, seen);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SslStream, ServerCertificateSeen> s_seen = [];

    /// <summary>
    /// A client's handshake that did not finish in <paramref name="timeout"/>: a server that sent nothing at all
    /// (<paramref name="answered"/> false) is most likely a plain one, waiting for its own protocol.
    /// </summary>
    internal static NetworkException ClientHandshakeTimedOut(string remote, TimeSpan timeout, bool answered) =>
        answered
            ? NetworkException.Timeout("TLS handshake with", remote, timeout)
            : new NetworkException(SocketErrorKind.TlsFailed, "TLS handshake with", remote,
                $"the server at {remote} did not answer the TLS handshake in {Durations.Format(timeout)}: is it a TLS server? A plain server waits for its own protocol");

    /// <summary>
    /// A client's failed handshake (<paramref name="failure"/>, an <see cref="AuthenticationException"/> or an
    /// <see cref="IOException"/>) as the error it is: a server whose <paramref name="first"/> bytes are not TLS is said
    /// as a plain server, a broken connection as the socket error it is, else why TLS failed (with what the handshake
    /// saw of the server, <paramref name="seen"/>, where it was kept).
    /// </summary>
    internal static NetworkException ClientHandshakeFailed(Exception failure, ReadOnlySpan<byte> first, string remote, ServerCertificateSeen? seen) =>
        failure is IOException { InnerException: SocketException socketError }
            ? NetworkException.From(socketError, "TLS handshake with", remote)
            : NotTls(first, remote) is { } plain
                ? new NetworkException(SocketErrorKind.TlsFailed, "TLS handshake with", remote, plain, failure)
                : HandshakeFailed(failure, remote, failure is AuthenticationException ? seen : null);

    /// <summary>Runs the server side of the handshake over an accepted <paramref name="socket"/> (the stream owns it then), for a server on streams.</summary>
    /// <exception cref="NetworkException">The handshake failed (kind <see cref="SocketErrorKind.TlsFailed"/>) or did not finish within <paramref name="timeout"/>.</exception>
    public static async Task<Stream> AuthenticateAsServerAsync(Socket socket, TlsServerOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string remote = socket.RemoteEndPoint is { } from ? EndPoints.Format(from) : "unix:";
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = options.Certificate }, handshake.Token);
            return ssl;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            throw NetworkException.Timeout("TLS handshake with", remote, timeout);
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
            await ssl.DisposeAsync();
            throw new NetworkException(SocketErrorKind.TlsFailed, "TLS handshake with", remote, $"the TLS handshake with {remote} failed: {ex.Message.TrimEnd('.')}", ex);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs a client handshake over <paramref name="socket"/> that takes every certificate, to describe it and judge it
    /// after: a diagnosis's handshake. Never throws for the server's sake; a failure is the probe's <see cref="TlsProbe.Problem"/>.
    /// </summary>
    /// <param name="socket">The connected socket; the probe's stream owns it, or it is disposed when the handshake fails.</param>
    /// <param name="targetHost">The name asked for (SNI) and checked against the certificate.</param>
    /// <param name="timeout">The longest the handshake may take.</param>
    /// <param name="cancellationToken">Cancels the handshake (then <see cref="OperationCanceledException"/> is thrown).</param>
    public static async Task<TlsProbe> ProbeAsClientAsync(Socket socket, string targetHost, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        X509Certificate2? certificate = null;
        SslPolicyErrors errors = SslPolicyErrors.None;
        SslStream ssl;
        try
        {
            ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch (IOException ex)
        {
            // Reset between the connect and now: NetworkStream refuses a socket that is no longer connected.
            socket.Dispose();
            return new TlsProbe(null, null, SslPolicyErrors.None, SslProtocols.None, ex.Message.TrimEnd('.'));
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                // Every certificate is taken, to be described; whether it is trusted is judged after.
                RemoteCertificateValidationCallback = (_, presented, _, policy) =>
                {
                    certificate = presented is null ? null : new X509Certificate2(presented);
                    errors = policy;
                    return true;
                },
            }, timer.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            string problem = ex is OperationCanceledException
                ? $"no answer to the TLS handshake within {Durations.Format(timeout)}"
                : ex is IOException { InnerException: SocketException reset } ? SocketErrorGuide.For(SocketErrorGuide.Classify(reset.SocketErrorCode)).Summary.TrimEnd('.')
                : ex.Message.TrimEnd('.');
            return new TlsProbe(null, certificate, errors, SslProtocols.None, problem);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
        return new TlsProbe(ssl, certificate, errors, ssl.SslProtocol, null);
    }

    /// <summary>True when <paramref name="stream"/> is one of these TLS streams.</summary>
    public static bool IsTls(Stream stream) => stream is SslStream;

    /// <summary>The orderly end of TLS before the FIN: close_notify when <paramref name="stream"/> is TLS, nothing otherwise.</summary>
    public static Task ShutdownAsync(Stream stream) => stream is SslStream ssl ? ssl.ShutdownAsync() : Task.CompletedTask;

    /// <summary>
    /// Says at Debug what a client's handshake negotiated: the protocol, the cipher suite, the name asked
    /// for, and the server's certificate (subject, issuer, expiry). The one rendering of it, for every client.
    /// </summary>
    internal static void LogEstablished(Microsoft.Extensions.Logging.ILogger logger, string remote, SslStream stream, string askedName, X509Certificate? certificate)
    {
        if (!logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            return;
        }
        X509Certificate2? server = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        Logging.Log.TlsEstablished(logger, remote, Protocol(stream.SslProtocol), stream.NegotiatedCipherSuite.ToString(), askedName,
            server?.Subject ?? "-", server?.Issuer ?? "-", server is null ? "-" : ServerCertificateFiles.Format(server.NotAfter));
    }

    /// <summary>
    /// Why the server ended a TLS connection whose handshake looked done, when it had asked for a client certificate:
    /// with TLS 1.3 a server refuses the client's certificate after the client's side of the handshake is over, so the
    /// refusal shows on the first read or write. Null when <paramref name="stream"/> is not such a connection, or the
    /// failure carries no sign of it.
    /// </summary>
    public static TlsProblem? ClientCertificateRefusal(Stream stream, Exception? failure = null) =>
        (failure is null ? null : ServerAlert(failure))
        ?? (stream is SslStream ssl && s_seen.TryGetValue(ssl, out ServerCertificateSeen? seen) ? seen.Refusal() : null);

    /// <summary>
    /// True when <paramref name="bytes"/> start as a TLS record does: a content type from 20 (change_cipher_spec) to 23
    /// (application_data), then major version 3. A plain protocol's first bytes (a JSON header's length, text) are not.
    /// </summary>
    public static bool IsTlsRecord(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 1 && bytes[0] is >= 20 and <= 23 && (bytes.Length < 2 || bytes[1] == 3);

    /// <summary>
    /// Why a server whose first bytes were <paramref name="first"/> is not a TLS server, or null when they may be TLS:
    /// our own ClientHello sent back (a server never sends one: a plain echo server does), or bytes no TLS record starts with.
    /// </summary>
    public static string? NotTls(ReadOnlySpan<byte> first, string remote) =>
        first.Length >= 6 && IsTlsRecord(first) && first[5] == ClientHello
            ? $"the server at {remote} does not speak TLS: it sent the TLS handshake's first message back, as a plain echo server does"
            : first.Length > 0 && !IsTlsRecord(first)
                ? $"the server at {remote} does not speak TLS: it answered the handshake with {PythonBytes.Repr(first[..Math.Min(first.Length, 16)])}, which is not a TLS record"
                : null;

    /// <summary>The handshake message type of a ClientHello, the sixth byte of the record that carries it.</summary>
    private const byte ClientHello = 1;

    /// <summary>A server's failed handshake with a client, in the project's words: a plain client is said as such.</summary>
    public static string DescribeClientFailure(Exception failure) =>
        // SslStream's words for a first record it cannot read: what a plain client's request is to a TLS server.
        failure.Message.Contains("frame size or a corrupted frame", StringComparison.Ordinal)
            ? "the client sent bytes that are not a TLS handshake: a plain client, or one not speaking TLS to this port"
            : failure.Message.TrimEnd('.');

    /// <summary>A failed handshake with <paramref name="remote"/> in the words the other clients use.</summary>
    internal static string DescribeHandshakeFailure(Exception failure, string remote, ServerCertificateSeen? seen = null) =>
        $"TLS handshake with {remote} failed: {HandshakeProblem(failure, seen)}";

    /// <summary>Why a client's handshake failed, in words and, where it can tell, as a <see cref="TlsRefusal"/>.</summary>
    internal static TlsProblem HandshakeProblem(Exception failure, ServerCertificateSeen? seen = null) =>
        failure is AuthenticationException refused ? Explain(refused, seen)
        : ServerAlert(failure) ?? new TlsProblem("the server closed the connection (is it speaking TLS?)");

    private static NetworkException HandshakeFailed(Exception failure, string remote, ServerCertificateSeen? seen = null) =>
        new(SocketErrorKind.TlsFailed, "TLS handshake with", remote, DescribeHandshakeFailure(failure, remote, seen), failure)
        {
            TlsRefusal = HandshakeProblem(failure, seen).Refusal,
        };

    /// <summary>"TLS 1.3", as people say it.</summary>
    private static string Protocol(SslProtocols protocol) => protocol switch
    {
#pragma warning disable SYSLIB0039 // Named, not used: a server that negotiates them is said to.
        SslProtocols.Tls => "TLS 1.0",
        SslProtocols.Tls11 => "TLS 1.1",
#pragma warning restore SYSLIB0039
        SslProtocols.Tls12 => "TLS 1.2",
        SslProtocols.Tls13 => "TLS 1.3",
        _ => protocol.ToString(),
    };

    /// <summary>
    /// The server's refusal of this client's certificate (mutual TLS), in words, from the TLS alert it sent: OpenSSL's
    /// names of the alerts in the failure's messages. Null when the failure carries no such alert. With TLS 1.3 the
    /// alert may come after the client's handshake finished, on its first read: client reads call this too.
    /// </summary>
    public static TlsProblem? ServerAlert(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            string text = e.Message;
            if (text.Contains("alert certificate required", StringComparison.OrdinalIgnoreCase))
            {
                return new TlsProblem("the server requires a client certificate, and none was given", TlsRefusal.ClientCertificateMissing);
            }
            if (text.Contains("alert certificate expired", StringComparison.OrdinalIgnoreCase))
            {
                return new TlsProblem("the server refused this client's certificate: it has expired");
            }
            if (text.Contains("alert unknown ca", StringComparison.OrdinalIgnoreCase))
            {
                return new TlsProblem("the server refused this client's certificate: it is not issued by a CA the server trusts for clients");
            }
            if (text.Contains("alert bad certificate", StringComparison.OrdinalIgnoreCase) || text.Contains("alert certificate unknown", StringComparison.OrdinalIgnoreCase))
            {
                return new TlsProblem("the server refused this client's certificate (no certificate, one from another CA, or one out of date)");
            }
        }
        return null;
    }

    /// <summary>A stream that keeps the first bytes read through it.</summary>
    private sealed class FirstBytesStream(Stream inner) : Stream
    {
        private readonly byte[] _first = new byte[16];

        public int Count { get; private set; }

        public ReadOnlySpan<byte> Bytes => _first.AsSpan(0, Count);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Keep(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken);
            return Keep(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        private int Keep(ReadOnlySpan<byte> read)
        {
            int n = Math.Min(read.Length, _first.Length - Count);
            read[..n].CopyTo(_first.AsSpan(Count));
            Count += n;
            return read.Length;
        }
    }

    /// <summary>Says in words why a certificate was refused, and why as a fact where it can tell.</summary>
    internal static TlsProblem Explain(AuthenticationException ex, ServerCertificateSeen? seen = null)
    {
        string text = ex.Message;
        if (ServerAlert(ex) is { } alert)
        {
            return alert;
        }
        if (seen?.Refusal() is { } refused && !text.Contains("RemoteCertificate", StringComparison.Ordinal))
        {
            return refused;
        }
        if (seen is { Certificate: not null, Refused: true } && (seen.Errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            IReadOnlyList<string> names = seen.Names();
            return new TlsProblem($"the server's certificate is for {(names.Count == 0 ? "no name" : string.Join(", ", names))}, not for {seen.AskedName}", TlsRefusal.ServerNameMismatch);
        }
        if (seen is { Certificate: not null, Refused: true } && (seen.Errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return seen.OwnRoots
                ? new TlsProblem("the server's certificate does not chain to the given CA", TlsRefusal.ServerNotFromGivenCa)
                : new TlsProblem("the server's certificate is not trusted (unknown issuer or self-signed)", TlsRefusal.ServerUntrusted);
        }
        if (text.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal))
        {
            return new TlsProblem("the server's certificate is for another name", TlsRefusal.ServerNameMismatch);
        }
        if (text.Contains("RemoteCertificateChainErrors", StringComparison.Ordinal) || text.Contains("UntrustedRoot", StringComparison.Ordinal))
        {
            return new TlsProblem("the server's certificate is not trusted (unknown issuer or self-signed)", TlsRefusal.ServerUntrusted);
        }
        if (text.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal))
        {
            return new TlsProblem("the server's certificate does not chain to the given CA, or is for another name", TlsRefusal.ServerNotFromGivenCaOrName);
        }
        // "Authentication failed, see inner exception": the inner one says what.
        return new TlsProblem((ex.InnerException?.Message ?? text).TrimEnd('.'));
    }
}
