using SocketKit.Logging;
using SocketKit.Transport.Engines;
using SocketKit.Transport.ProxyProtocol;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Connections;

/// <summary>
/// One connection's lifecycle, the same on every engine: the PROXY header when the server requires one, its handler,
/// its receive and send buffers, its clock, the time it waits on the reader, TLS when the server has it, and why it
/// closed. The PROXY header is read from the raw bytes, before TLS, as load balancers send it; the handler is made
/// once it is read, for the client it names. An engine only moves bytes: what it read
/// from the socket goes to <see cref="Received"/> (or <see cref="PeerFinished"/>), what <see cref="Pending"/> holds goes
/// to the socket and <see cref="Sent"/> says how much did; once <see cref="IsDone"/> and nothing is pending, the engine
/// closes the socket with <see cref="CloseReason"/>. Whatever it catches goes to <see cref="Fail"/>.
/// </summary>
/// <remarks>Not thread-safe: a connection is driven by one thread at a time.</remarks>
internal sealed class ConnectionDriver : IDisposable
{
    private readonly ServerEngine _engine;
    private readonly ReceiveBuffer _input = new();
    private readonly SendBuffer _output;
    private IConnectionHandler? _handler;
    private ProxyPreamble? _preamble; // Until the PROXY header is read, when the server requires one.
    private int _sent; // Of _output, without TLS; with TLS the pump holds what is not yet sent.
    private int _announced; // Of _output, already logged as being sent.
    private bool _waitingOnReader;
    private bool _failed;
    private bool _handshaking; // With TLS, until the handshake's deadline is lifted from the clock.

    /// <param name="engine">The engine serving it, for its counters, metrics and log.</param>
    /// <param name="tracked">The connection as the engine tracks it: its info, clock and abort reason.</param>
    /// <remarks>
    /// With TLS in the server's options, the handshake starts here, on the thread that will first drive it; its deadline
    /// is the connection's clock's, checked by the same heartbeat (or timer wheel) as the others.
    /// </remarks>
    public ConnectionDriver(ServerEngine engine, ServerConnection tracked)
    {
        _engine = engine;
        Tracked = tracked;
        Tls = engine.Options.Tls is { } tls ? TlsPump.ForServer(tls) : null;
        _handshaking = Tls is not null; // Timed by the connection's clock, from its start, as its other deadlines.
        _preamble = engine.Options.ProxyHeaderBytes is int maxHeaderBytes ? new ProxyPreamble(tracked.Info, engine.Logger, maxHeaderBytes) : null;
        _output = new SendBuffer(engine.Limits.MaxSendBufferBytes);
    }

    public ServerConnection Tracked { get; }

    public ConnectionInfo Info => Tracked.Info;

    /// <summary>The connection's TLS, or null for plain bytes.</summary>
    public TlsPump? Tls { get; }

    /// <summary>True once the conversation is over: the engine closes the socket as soon as nothing is pending.</summary>
    public bool IsDone { get; private set; }

    /// <summary>Why the connection ends (or will): the peer closing unless something else said otherwise.</summary>
    public ConnectionCloseReason CloseReason { get; private set; } = ConnectionCloseReason.PeerClosed;

    /// <summary>Bytes still to go out on the socket: the handler's not yet sent or (with TLS) not yet encrypted, or records not yet sent.</summary>
    public bool HasPending => Tls is null ? _output.WrittenCount > _sent : _output.WrittenCount > 0 || Tls.OutgoingCount > 0;

    private IConnectionHandler Handler => _handler ?? throw new InvalidOperationException("the connection has not been opened");

    /// <summary>
    /// Makes the connection's handler: called once, before any bytes move (a factory's failure is the engine's to
    /// <see cref="Fail"/>). With a PROXY header to read, the handler is made once the header names the client.
    /// </summary>
    public void Open()
    {
        if (_preamble is null)
        {
            _handler = _engine.HandlerFactory(Info);
        }
    }

    /// <summary>Ends the conversation for <paramref name="reason"/>: what is pending still goes out first.</summary>
    public void Finish(ConnectionCloseReason reason)
    {
        IsDone = true;
        CloseReason = reason;
    }

    /// <summary>Bytes read from the socket (the PROXY header, then ciphertext with TLS): the handler gets their plaintext.</summary>
    public void Received(ReadOnlyMemory<byte> bytes)
    {
        if (_preamble is { } preamble && !TryReadPreamble(preamble, ref bytes))
        {
            return;
        }
        if (Tls is { } tls)
        {
            tls.Adopt();
            tls.Feed(bytes.Span);
            ReceivedTls(tls, ended: false);
            return;
        }
        NextStep step = _engine.Deliver(Tracked, Handler, _input, bytes, _output);
        Announce();
        if (step == NextStep.CloseAfterSending)
        {
            Finish(ConnectionCloseReason.Done);
        }
    }

    /// <summary>The peer finished sending (a read returned 0): the handler has its last word, then the connection closes.</summary>
    public void PeerFinished()
    {
        if (_preamble is { } preamble)
        {
            // Before the header was whole (or after it was refused): no handler was made, nothing is answered.
            preamble.End();
            IsDone = true;
            return;
        }
        if (Tls is { } tls)
        {
            tls.Adopt();
            tls.FeedEnd();
            ReceivedTls(tls, ended: true);
            return;
        }
        _input.Finish(Handler, _output);
        Announce();
        IsDone = true;
    }

    /// <summary>
    /// Reads the PROXY header's bytes from <paramref name="bytes"/>. True once it is whole, with the handler made for
    /// the client it names and <paramref name="bytes"/> what follows it (TLS records, or the handler's bytes); false
    /// while more is needed, or when it was refused (the connection then closes without a reply, as a handler would).
    /// </summary>
    private bool TryReadPreamble(ProxyPreamble preamble, ref ReadOnlyMemory<byte> bytes)
    {
        bool read = preamble.TryRead(bytes, out ConnectionInfo client, out ReadOnlyMemory<byte> rest);
        _engine.ReceivedPreamble(Tracked, bytes.Span[..(bytes.Length - rest.Length)]);
        if (!read)
        {
            if (preamble.Refused)
            {
                Finish(ConnectionCloseReason.Done);
            }
            return false;
        }
        if (!_engine.AdmitClient(Tracked, client))
        {
            preamble.Drop();
            Finish(ConnectionCloseReason.Refused);
            return false;
        }
        _preamble = null;
        Tracked.Handle.Info = client;
        _handler = _engine.HandlerFactory(client);
        bytes = rest;
        return !bytes.IsEmpty;
    }

    private void ReceivedTls(TlsPump tls, bool ended)
    {
        if (_handshaking && !tls.IsHandshaking)
        {
            // Over, well or not: from now on the connection's other deadlines are what is timed.
            _handshaking = false;
            Tracked.Clock.HandshakeDone();
            if (tls.IsAuthenticated)
            {
                _engine.Authenticated(Info, tls.RemoteCertificate);
            }
        }
        if (!tls.IsAuthenticated)
        {
            if (tls.HandshakeFailure is { } failure)
            {
                _engine.LogHandshakeFailed(Info, failure);
                Finish(ConnectionCloseReason.Failed);
            }
            else if (ended)
            {
                IsDone = true;
            }
            return; // The handshake's own records (if any) are pending.
        }
        NextStep step = NextStep.Receive;
        while (step == NextStep.Receive && tls.TryRead(out ReadOnlyMemory<byte> plaintext))
        {
            step = _engine.Deliver(Tracked, Handler, _input, plaintext, _output);
            Announce();
        }
        if (step == NextStep.CloseAfterSending)
        {
            Finish(ConnectionCloseReason.Done);
        }
        else if (tls.PeerClosed || ended)
        {
            // close_notify, or the TCP stream ended between records: nothing more can arrive.
            _input.Finish(Handler, _output);
            Announce();
            IsDone = true;
        }
    }

    /// <summary>
    /// True while the handler is at work on a request and the bytes of later ones that wait for it reached
    /// <see cref="ServerLimits.MaxPipelinedBytes"/>: the engine reads no more until the handler answers.
    /// </summary>
    public bool ReadPaused => _input.UnconsumedBytes >= _engine.Limits.MaxPipelinedBytes && _handler?.Phase == ConnectionPhase.Handling;

    /// <summary>
    /// Runs what was posted to the connection from other threads (<see cref="ConnectionHandle"/>), on the thread that
    /// serves it: bytes to send, work that writes, a close, the handler's timeout. Then, if the handler is no longer at
    /// work, it is given the requests that waited meanwhile. The caller sends what is pending and settles the
    /// connection as after a read; a failure is the caller's to <see cref="Fail"/>.
    /// </summary>
    public void RunPosted()
    {
        ConnectionHandle handle = Tracked.Handle;
        handle.BeginRun();
        while (handle.TryTake(out PostedWork work))
        {
            if (IsDone || _handler is null)
            {
                continue; // Closing, or (behind a PROXY header not yet read) nothing to send to yet: dropped.
            }
            switch (work.Kind)
            {
                case PostedWorkKind.Send:
                    _output.Write(work.Bytes.Span); // Past the send buffer's limit this throws, and the connection is cut off.
                    break;
                case PostedWorkKind.Run:
                    if (work.Work!(_output) == NextStep.CloseAfterSending)
                    {
                        Finish(ConnectionCloseReason.Done);
                    }
                    break;
                case PostedWorkKind.Close:
                    Finish(ConnectionCloseReason.Done);
                    break;
                case PostedWorkKind.CutOff:
                    throw new SendBufferFullException(_engine.Limits.MaxSendBufferBytes);
                case PostedWorkKind.HandlerTimeout:
                    TimeOutHandler();
                    break;
            }
        }
        Announce();
        Resume();
    }

    /// <summary>
    /// The handler's time is up (<see cref="ServerTimeouts.HandlerTimeout"/>): if it is still at work, it writes its last
    /// words and the connection ends as <see cref="ConnectionCloseReason.HandlerTimeout"/>. False when it had answered
    /// meanwhile, or the connection is over.
    /// </summary>
    public bool TimeOutHandler()
    {
        if (IsDone || _handler is not { } handler || handler.Phase != ConnectionPhase.Handling)
        {
            return false;
        }
        handler.OnHandlerTimeout(_output);
        Announce();
        Finish(ConnectionCloseReason.HandlerTimeout);
        return true;
    }

    /// <summary>After posted work: a handler no longer at work is given what waited, and the clock is told where it stands.</summary>
    private void Resume()
    {
        if (IsDone || _handler is not { } handler || handler.Phase == ConnectionPhase.Handling)
        {
            return;
        }
        // The handler's deadline is lifted: what comes next (the request that waited, or the idle gap) is timed from now.
        Tracked.Clock.Received(ConnectionPhase.Request, 0);
        if (_input.UnconsumedBytes == 0)
        {
            Tracked.Clock.Received(handler.Phase, 0);
            return;
        }
        NextStep step = _engine.Deliver(Tracked, handler, _input, ReadOnlyMemory<byte>.Empty, _output);
        Announce();
        if (step == NextStep.CloseAfterSending)
        {
            Finish(ConnectionCloseReason.Done);
        }
    }

    /// <summary>What the handler wrote is about to go out: counted and logged once, whatever pieces the socket takes it in.</summary>
    private void Announce()
    {
        if (_output.WrittenCount > _announced)
        {
            _engine.Counters.Buffered(_output.WrittenCount);
            _engine.LogSending(Info, _output.WrittenSpan[_announced..]);
            _announced = _output.WrittenCount;
        }
    }

    /// <summary>The bytes to send now (records, with TLS: the handler's plaintext is encrypted first); then call <see cref="Sent"/>.</summary>
    public ReadOnlyMemory<byte> Pending()
    {
        if (Tls is not { } tls)
        {
            return _output.WrittenMemory[_sent..];
        }
        tls.Adopt();
        if (_output.WrittenCount > 0)
        {
            tls.Write(_output.WrittenMemory);
            ResetOutput();
        }
        return tls.OutgoingMemory;
    }

    /// <summary>
    /// A send that may block until the peer reads is about to start: from now until all is out, the reader's rate is
    /// timed. A non-blocking engine need not call it: a send the socket does not take whole starts the timing.
    /// </summary>
    public void Sending()
    {
        if (!_waitingOnReader)
        {
            _waitingOnReader = true;
            Tracked.Clock.SendStarted();
        }
    }

    /// <summary>The socket took the first <paramref name="count"/> bytes of <see cref="Pending"/>.</summary>
    public void Sent(int count)
    {
        if (count > 0 && _waitingOnReader)
        {
            Tracked.Clock.Sent(count);
        }
        bool allSent;
        if (Tls is { } tls)
        {
            tls.Consume(count);
            allSent = tls.OutgoingCount == 0 && _output.WrittenCount == 0;
        }
        else
        {
            _sent += count;
            allSent = _sent == _output.WrittenCount;
            if (allSent)
            {
                ResetOutput();
            }
        }
        // Only the time from a send the socket did not take whole until all is out is the reader's: responses the
        // kernel takes at once never count against its rate.
        if (allSent)
        {
            if (_waitingOnReader)
            {
                _waitingOnReader = false;
                Tracked.Clock.SendDone();
            }
        }
        else
        {
            Sending();
        }
    }

    private void ResetOutput()
    {
        _output.Reset();
        _sent = 0;
        _announced = 0;
    }

    /// <summary>
    /// With TLS, once the conversation is over and the last response is out: close_notify, before the FIN, as a TLS
    /// connection ends. True when that left bytes to send.
    /// </summary>
    public bool SayGoodbye()
    {
        if (Tls is not { } tls || HasPending)
        {
            return false;
        }
        tls.Adopt();
        tls.Close();
        return HasPending;
    }

    /// <summary>The connection is closed: its TLS (if any) lets go of its buffers.</summary>
    public void Dispose()
    {
        Tls?.Adopt();
        Tls?.Dispose();
    }

    /// <summary>
    /// Why <paramref name="failure"/> ends the connection, the one place every engine's failures are told apart, logged
    /// once: a send buffer overrun; the socket failing (a reset is the peer's business and logged quietly); a TLS
    /// record or stream that cannot be read; an operation cut short because the server closed the connection; or,
    /// anything else, a handler's bug, which ends its own connection and never the engine.
    /// </summary>
    public ConnectionCloseReason Fail(Exception failure)
    {
        if (_failed)
        {
            return CloseReason;
        }
        _failed = true;
        IsDone = true;
        CloseReason = Classify(failure);
        return CloseReason;
    }

    private ConnectionCloseReason Classify(Exception failure)
    {
        ConnectionInfo info = Info;
        switch (failure)
        {
            case SendBufferFullException:
                return ConnectionCloseReason.SendBufferFull;
            case SocketException or IOException { InnerException: SocketException } or OperationCanceledException or ObjectDisposedException
                when Tracked.AbortReason is { } aborted:
                // The server closed it (a timeout, the drain): the operation it cut short says nothing more.
                return aborted;
            case OperationCanceledException or ObjectDisposedException:
                return ConnectionCloseReason.ServerStopping;
            case SocketException socket:
                _engine.LogFailure(info, socket);
                return ConnectionCloseReason.Failed;
            case IOException { InnerException: SocketException inner }:
                _engine.LogFailure(info, inner);
                return ConnectionCloseReason.Failed;
            case IOException io:
                // A stream's own failure, such as a TLS record that does not decrypt.
                Log.ConnectionFailed(_engine.Logger, info.Id, info.Remote, io.Message);
                return ConnectionCloseReason.Failed;
            default:
                Log.HandlerFailed(_engine.Logger, info.Id, info.Remote, $"{failure.GetType().Name}: {failure.Message}");
                return ConnectionCloseReason.Failed;
        }
    }
}
