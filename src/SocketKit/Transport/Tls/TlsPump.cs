using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks.Sources;

namespace SocketKit.Transport.Tls;

/// <summary>
/// TLS without I/O, for a readiness loop: the C# counterpart of Python's <c>ssl.SSLObject</c> over memory BIOs (what
/// a non-blocking <c>ssl.SSLSocket</c> and its <c>SSLWantReadError</c> do underneath). The loop hands it the ciphertext
/// it read from the socket (<see cref="Feed"/>, <see cref="FeedEnd"/>) and sends what it must
/// (<see cref="Outgoing"/>, <see cref="Consume"/>); the pump hands out the plaintext that arrived
/// (<see cref="TryRead"/>) and takes plaintext to send (<see cref="Write"/>). It never touches a socket and never
/// blocks, so a slow peer costs the loop nothing.
/// </summary>
/// <remarks>
/// <para>
/// .NET has no memory-BIO TLS API, so the pump runs an <see cref="SslStream"/> over an in-memory stream whose reads
/// stay pending until the loop feeds bytes. Feeding completes the pending read synchronously, on the caller's thread,
/// so the SslStream's continuations (its handshake, its record decryption) run inline inside <see cref="Feed"/>; writes
/// to the in-memory stream complete at once. Every step of the SslStream therefore happens on the one thread that owns
/// the pump, inside one of its methods, and nothing needs a lock.
/// </para>
/// <para>
/// That holds only while no continuation is sent elsewhere, so the pump checks it rather than trusts it: each method
/// runs with no synchronization context (a captured one would post continuations away; a task scheduler other than
/// the default would too, and is caught by the check below), refuses a call from a thread
/// other than the one that made the pump, and the in-memory stream fails any read or write that does not come from
/// inside such a call. After every call the SslStream's operation must have either finished or be waiting on the
/// in-memory stream; if neither, some of it ran elsewhere and the pump fails with <see cref="InvalidOperationException"/>
/// rather than race.
/// </para>
/// <para>Not thread-safe: one pump belongs to one connection on one loop thread.</para>
/// </remarks>
public sealed partial class TlsPump : IDisposable
{
    // The largest TLS record's plaintext is 16 KiB; a read never returns more than one record.
    private const int PlaintextSize = 16 * 1024;

    private readonly SslStream _ssl;
    private int _ownerThread = Environment.CurrentManagedThreadId;
    private byte[]? _plaintext; // Rented only while a record is being read or its plaintext handed out.
    private readonly PooledByteQueue _inbound = new();  // Ciphertext fed and not yet read by the SslStream.
    private readonly PooledByteQueue _outbound = new(); // Ciphertext the SslStream wrote, not yet sent.
    private bool _inboundEnded;
    private ManualResetValueTaskSourceCore<int> _pendingRead; // RunContinuationsAsynchronously stays false: inline is the point.
    private Memory<byte> _pendingBuffer;
    private bool _readPending;
    private int _depth;
    private Task? _handshake;
    private ValueTask<int> _read;
    private bool _reading;
    private bool _waitingForRecord;
    private bool _closeSent;
    private bool _disposed;
    private string? _refusal; // Why the client's certificate was refused, in words.
    private string _askedName = "-"; // A client's: the name its handshake asked for.
    private ServerCertificateSeen? _seen; // A client's, when asked: what its handshake saw of the server.

    private readonly PendingRead _pendingSource;

    private TlsPump()
    {
        _pendingSource = new PendingRead(this);
        _ssl = new SslStream(new Wire(this), leaveInnerStreamOpen: false);
    }

    /// <summary>True until the handshake has finished, well or not.</summary>
    public bool IsHandshaking => _handshake is { IsCompleted: false };

    /// <summary>True once the handshake succeeded: plaintext may flow both ways.</summary>
    public bool IsAuthenticated { get; private set; }

    /// <summary>A client's Debug line once the handshake succeeded: what it negotiated and the server's certificate (<see cref="TlsStreams.LogEstablished"/>).</summary>
    internal void LogEstablished(Microsoft.Extensions.Logging.ILogger logger, string remote) =>
        TlsStreams.LogEstablished(logger, remote, _ssl, _askedName, _ssl.RemoteCertificate);

    /// <summary>Why the handshake failed (an <see cref="AuthenticationException"/> or an <see cref="IOException"/>), or null.</summary>
    public Exception? HandshakeFailure { get; private set; }

    /// <summary>
    /// On a server asking for client certificates: the client's, once the handshake accepted it (null when it gave none).
    /// The pump does not dispose it: it goes to the connection's handler.
    /// </summary>
    public X509Certificate2? RemoteCertificate { get; private set; }

    /// <summary>True once the peer's plaintext has ended: it sent close_notify, or its TCP stream ended between records.</summary>
    public bool PeerClosed { get; private set; }

    /// <summary>The ciphertext waiting to go out on the socket; call <see cref="Consume"/> with what the socket took.</summary>
    public ReadOnlySpan<byte> Outgoing => _outbound.Span;

    /// <summary>
    /// Hands the pump to the calling thread, for a connection whose calls move between threads one at a time (an
    /// asynchronous engine's continuations): every call still runs on one thread, inside which the SslStream's continue.
    /// </summary>
    internal void Adopt() => _ownerThread = Environment.CurrentManagedThreadId;

    /// <summary><see cref="Outgoing"/> as memory, for an engine whose send outlives a span.</summary>
    internal ReadOnlyMemory<byte> OutgoingMemory => _outbound.Memory;

    /// <summary>How many ciphertext bytes are waiting to go out.</summary>
    public int OutgoingCount => _outbound.Count;

    /// <summary>Starts the server side of a handshake; the client's hello is awaited through <see cref="Feed"/>.</summary>
    /// <remarks><see cref="ServerTimeouts.HandshakeTimeout"/> is the server's connection clock's to apply: the pump has no clock.</remarks>
    public static TlsPump ForServer(TlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pump = new TlsPump();
        var ssl = new SslServerAuthenticationOptions { ServerCertificate = options.CurrentCertificate };
        if (options.ClientCertificateAuthorities is not null)
        {
            // With the CAs' names in the certificate request, a client can say which CA its certificate should be from.
            ssl.ServerCertificate = null;
            ssl.ServerCertificateContext = options.MutualContext();
            ssl.ClientCertificateRequired = true; // Asked for; whether it must be given is the check's to say.
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                // Runs inline, inside Feed, on the pump's thread.
                pump._refusal = ClientCertificateCheck.Judge(certificate, options, out X509Certificate2? accepted);
                pump.RemoteCertificate = accepted;
                return pump._refusal is null;
            };
        }
        pump.Start(() => pump._ssl.AuthenticateAsServerAsync(ssl));
        return pump;
    }

    /// <summary>
    /// Starts the client side of a handshake with <paramref name="host"/> (the name the certificate must carry, unless
    /// <see cref="TlsClientOptions.ServerName"/> says otherwise); its hello is in <see cref="Outgoing"/> on return.
    /// </summary>
    public static TlsPump ForClient(TlsClientOptions options, string host) => ForClient(options, host, witness: false);

    /// <summary>
    /// The same, and with <paramref name="witness"/> the pump keeps what its handshake saw of the server (its
    /// certificate and the check's verdict, whether it asked for a client certificate and from which CAs), to say in
    /// words why a handshake failed or why the server ended the connection after it (<see cref="ClientHandshakeFailed"/>,
    /// <see cref="ClientCertificateRefusal"/>), as a client's <see cref="TlsStreams.AuthenticateAsClientAsync"/> does.
    /// </summary>
    internal static TlsPump ForClient(TlsClientOptions options, string host, bool witness)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pump = new TlsPump { _askedName = options.TargetHost(host) };
        if (witness)
        {
            pump._seen = new ServerCertificateSeen(pump._askedName) { Given = options.ClientCertificate };
        }
        pump.Start(() => pump._ssl.AuthenticateAsClientAsync(options.ToSslOptions(host, pump._seen)));
        return pump;
    }

    /// <summary>
    /// A client's failed handshake (<paramref name="failure"/>, by default <see cref="HandshakeFailure"/>) as the error
    /// it is, in the words of every client: a plain server said as such from its first bytes (<paramref name="first"/>),
    /// else why TLS failed.
    /// </summary>
    internal NetworkException ClientHandshakeFailed(string remote, ReadOnlySpan<byte> first, Exception? failure = null) =>
        TlsStreams.ClientHandshakeFailed(failure ?? HandshakeFailure!, first, remote, _seen);

    /// <summary>
    /// After a client's handshake: the server's refusal of this client's certificate, when it asked for one (mutual
    /// TLS), from its alert in <paramref name="failure"/> or from what the handshake saw; null when it asked for none.
    /// With TLS 1.3 the server judges the certificate after the client's side of the handshake is over, so the refusal
    /// shows as the connection's end or a failed read.
    /// </summary>
    internal TlsProblem? ClientCertificateRefusal(Exception? failure = null) =>
        (failure is null ? null : TlsStreams.ServerAlert(failure)) ?? _seen?.Refusal();

    /// <summary>Hands the pump ciphertext read from the socket, in any split; the handshake and the reads move on at once.</summary>
    public void Feed(ReadOnlySpan<byte> ciphertext)
    {
        using Scope scope = Enter();
        if (_inboundEnded)
        {
            throw new InvalidOperationException("bytes fed after the end of the stream");
        }
        _inbound.Append(ciphertext);
        Deliver();
        Advance();
    }

    /// <summary>The socket's stream ended (the peer's FIN): a handshake in progress fails, reading ends.</summary>
    public void FeedEnd()
    {
        using Scope scope = Enter();
        _inboundEnded = true;
        Deliver();
        Advance();
    }

    /// <summary>
    /// The next piece of plaintext received, if any: false when more ciphertext is needed, or the peer has closed
    /// (<see cref="PeerClosed"/>). The piece stays valid until the next call.
    /// </summary>
    /// <exception cref="IOException">A record could not be read (corrupt, truncated by the peer's FIN, or an alert).</exception>
    public bool TryRead(out ReadOnlyMemory<byte> plaintext)
    {
        using Scope scope = Enter();
        plaintext = default;
        if (!IsAuthenticated || PeerClosed)
        {
            return false;
        }
        // Only now, so the piece handed out by the previous call was used before its buffer goes back.
        ReturnPlaintextBuffer();
        if (!_reading)
        {
            // A zero-byte read waits for the next record without a buffer (SslStream passes it to the wire), so an
            // idle connection holds no plaintext buffer; the buffer is rented once bytes are there.
            _read = _ssl.ReadAsync(Memory<byte>.Empty);
            _reading = true;
            _waitingForRecord = true;
        }
        while (true)
        {
            if (!_read.IsCompleted)
            {
                EnsureWaitingOnWire();
                return false;
            }
            _reading = false;
            int read = _read.GetAwaiter().GetResult();
            if (!_waitingForRecord)
            {
                if (read == 0)
                {
                    ReturnPlaintextBuffer();
                    PeerClosed = true;
                    return false;
                }
                plaintext = _plaintext.AsMemory(0, read);
                return true;
            }
            // Bytes (or the end) have arrived: read them for real.
            _waitingForRecord = false;
            _plaintext = ArrayPool<byte>.Shared.Rent(PlaintextSize);
            _read = _ssl.ReadAsync(_plaintext.AsMemory(0, PlaintextSize));
            _reading = true;
        }
    }

    private void ReturnPlaintextBuffer()
    {
        if (_plaintext is not null && !_reading)
        {
            ArrayPool<byte>.Shared.Return(_plaintext);
            _plaintext = null;
        }
    }


    /// <summary>Encrypts <paramref name="plaintext"/>; its records are appended to <see cref="Outgoing"/>.</summary>
    /// <exception cref="InvalidOperationException">The handshake has not succeeded, or close_notify was already sent.</exception>
    public void Write(ReadOnlyMemory<byte> plaintext)
    {
        using Scope scope = Enter();
        if (!IsAuthenticated || _closeSent)
        {
            throw new InvalidOperationException(_closeSent ? "TLS write after close_notify" : "TLS write before the handshake finished");
        }
        if (plaintext.IsEmpty)
        {
            return;
        }
        ValueTask write = _ssl.WriteAsync(plaintext);
        if (!write.IsCompleted)
        {
            throw new InvalidOperationException("a TLS write did not complete at once although its wire takes every byte");
        }
        write.GetAwaiter().GetResult();
    }

    /// <summary>Appends close_notify to <see cref="Outgoing"/>, once: the orderly end of TLS before the FIN.</summary>
    public void Close()
    {
        using Scope scope = Enter();
        if (_closeSent || !IsAuthenticated)
        {
            return;
        }
        _closeSent = true;
        Task shutdown = _ssl.ShutdownAsync();
        if (!shutdown.IsCompleted)
        {
            throw new InvalidOperationException("close_notify did not complete at once although its wire takes every byte");
        }
        shutdown.GetAwaiter().GetResult();
    }

    /// <summary>The socket took the first <paramref name="count"/> bytes of <see cref="Outgoing"/>.</summary>
    public void Consume(int count) => _outbound.Consume(count);

    /// <summary>Ends the SslStream: an operation still waiting for bytes sees the end of the stream and finishes here.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        using Scope scope = Enter();
        _disposed = true;
        _inboundEnded = true;
        Deliver();
        if (_handshake is { IsCompleted: true }) _ = _handshake.Exception; // Observed: a failure was already reported through HandshakeFailure.
        if (_reading && _read.IsCompleted)
        {
            try { _read.GetAwaiter().GetResult(); } catch (Exception ex) when (ex is IOException or AuthenticationException or ObjectDisposedException) { }
            _reading = false;
        }
        ReturnPlaintextBuffer();
        _ssl.Dispose();
        _inbound.Clear();
        _outbound.Clear();
    }

    private void Start(Func<Task> handshake)
    {
        using Scope scope = Enter();
        _handshake = handshake();
        Advance();
    }

    /// <summary>After the wire moved: settles a finished handshake, and checks the SslStream is waiting on the wire and nowhere else.</summary>
    private void Advance()
    {
        if (_handshake is null || IsAuthenticated || HandshakeFailure is not null)
        {
            return;
        }
        if (!_handshake.IsCompleted)
        {
            EnsureWaitingOnWire();
            return;
        }
        if (_handshake.Exception is { } failed)
        {
            Exception cause = failed.InnerException ?? failed;
            // SslStream only says a callback refused the certificate: the check's own words say why.
            HandshakeFailure = _refusal is null ? cause : new AuthenticationException(_refusal, cause);
        }
        else
        {
            IsAuthenticated = true;
        }
    }

    private void EnsureWaitingOnWire()
    {
        if (!_readPending)
        {
            throw new InvalidOperationException("the TLS stream continued off the loop's thread: an operation is neither done nor waiting for bytes");
        }
    }

    /// <summary>Completes a read the SslStream is waiting on, when there are bytes (or the end) to give it.</summary>
    private void Deliver()
    {
        if (!_readPending || (_inbound.Count == 0 && !_inboundEnded))
        {
            return;
        }
        int n = _inbound.Take(_pendingBuffer.Span);
        _readPending = false;
        _pendingBuffer = default;
        // Runs the SslStream's continuation here, on this thread, before returning: see the remarks on the class.
        _pendingRead.SetResult(n);
    }

    /// <summary>A call into the pump: on its owner's thread, with no synchronization context to send continuations away.</summary>
    private Scope Enter()
    {
        if (Environment.CurrentManagedThreadId != _ownerThread)
        {
            throw new InvalidOperationException("a TlsPump is used from one thread only, the one that made it");
        }
        return new Scope(this);
    }

    private readonly struct Scope : IDisposable
    {
        private readonly TlsPump _pump;
        private readonly SynchronizationContext? _saved;

        public Scope(TlsPump pump)
        {
            _pump = pump;
            _saved = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            pump._depth++;
        }

        public void Dispose()
        {
            _pump._depth--;
            SynchronizationContext.SetSynchronizationContext(_saved);
        }
    }

    private ValueTask<int> WireRead(Memory<byte> buffer)
    {
        EnsureInsideACall();
        if (_readPending)
        {
            throw new InvalidOperationException("the TLS stream read twice at once");
        }
        // A zero-byte read (the SslStream's way to wait without a buffer) also waits for bytes, then returns 0.
        if (_inbound.Count > 0 || _inboundEnded)
        {
            return new ValueTask<int>(_inbound.Take(buffer.Span));
        }
        _pendingRead.Reset();
        _pendingBuffer = buffer;
        _readPending = true;
        return new ValueTask<int>(_pendingSource, _pendingRead.Version);
    }

    private void WireWrite(ReadOnlySpan<byte> bytes)
    {
        EnsureInsideACall();
        _outbound.Append(bytes);
    }

    private void EnsureInsideACall()
    {
        if (_depth == 0 || Environment.CurrentManagedThreadId != _ownerThread)
        {
            // An IOException fails the SslStream's operation, and with it only this connection.
            throw new IOException("the TLS stream continued off the loop's thread");
        }
    }
}
