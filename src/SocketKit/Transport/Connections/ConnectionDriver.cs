using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Connections;

/// <summary>
/// One connection's lifecycle, the same on every engine: its byte layers (the PROXY header, TLS, any other), its
/// handler, its receive and send buffers, its clock, the time it waits on the reader, and why it closed. Bytes read
/// from the socket go up the layers, wire first, to the handler; what the handler writes goes down the layers that
/// change outbound bytes to the socket. A plain connection has no layer: its bytes go straight to the handler, and
/// its send buffer straight to the socket. The handler is made at <see cref="Open"/>, or once a layer names the
/// client (the PROXY header). An engine only moves bytes: what it read from the socket goes to
/// <see cref="Received"/> (or <see cref="PeerFinished"/>), what <see cref="Pending"/> holds goes to the socket and
/// <see cref="Sent"/> says how much did; once <see cref="IsDone"/> and nothing is pending, the engine closes the
/// socket with <see cref="CloseReason"/>. Whatever it catches goes to <see cref="Fail"/>. What the server must know
/// (bytes, failures, a handshake's end) goes to its <see cref="IConnectionObserver"/>, and nothing else.
/// </summary>
/// <remarks>Not thread-safe: a connection is driven by one thread at a time.</remarks>
internal sealed class ConnectionDriver : IByteLayerHost, IDisposable
{
    private readonly IConnectionObserver _observer;
    private readonly ServerLimits _limits;
    private ReceiveBuffer _input = new(); // A struct, changed in place: not readonly.
    private readonly SendBuffer _output;
    private readonly ByteLayer[] _layers; // Wire first; empty for plain bytes.
    private readonly ByteLayer[] _outbound; // Those that change outbound bytes, handler's side first; empty: the send buffer goes out as it is.
    private readonly ByteLayer? _bottom; // Where bytes read from the socket go; null: straight to the handler.
    private IConnectionHandler? _handler;
    private int _sent; // Of _output, when no layer changes outbound bytes; otherwise the layers hold what is not yet sent.
    private int _announced; // Of _output, already logged as being sent.
    private bool _waitingOnReader;
    private bool _failed;

    /// <param name="observer">The server serving it: its handlers, counters, metrics and log.</param>
    /// <param name="tracked">The connection as the engine tracks it: its info, clock and abort reason.</param>
    /// <param name="limits">The server's limits: its send buffer and pipelined bytes.</param>
    /// <param name="layers">Its byte layers, wire first (<see cref="ConnectionLayers.Compose"/>); empty for plain bytes.</param>
    public ConnectionDriver(IConnectionObserver observer, ServerConnection tracked, ServerLimits limits, ByteLayer[] layers)
    {
        _observer = observer;
        _limits = limits;
        Tracked = tracked;
        _output = new SendBuffer(limits.MaxSendBufferBytes);
        _layers = layers;
        int outbound = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i].Attach(this, i + 1 < layers.Length ? layers[i + 1] : null);
            if (layers[i].TransformsOutbound) outbound++;
        }
        _outbound = outbound == 0 ? [] : new ByteLayer[outbound];
        for (int i = layers.Length - 1, j = 0; i >= 0; i--)
        {
            if (layers[i].TransformsOutbound) _outbound[j++] = layers[i];
        }
        _bottom = layers.Length > 0 ? layers[0] : null;
    }

    public ServerConnection Tracked { get; }

    public ConnectionInfo Info => Tracked.Info;

    /// <summary>True once the conversation is over: the engine closes the socket as soon as nothing is pending.</summary>
    public bool IsDone { get; private set; }

    /// <summary>Why the connection ends (or will): the peer closing unless something else said otherwise.</summary>
    public ConnectionCloseReason CloseReason { get; private set; } = ConnectionCloseReason.PeerClosed;

    /// <summary>Bytes still to go out on the socket: the handler's not yet sent (or not yet through the layers), or the layers' own.</summary>
    public bool HasPending => _outbound.Length == 0 ? _output.WrittenCount > _sent : _output.WrittenCount > 0 || LayersHoldBytes();

    private bool LayersHoldBytes()
    {
        foreach (ByteLayer layer in _outbound)
        {
            if (layer.OutgoingCount > 0) return true;
        }
        return false;
    }

    private IConnectionHandler Handler => _handler ?? throw new InvalidOperationException("the connection has not been opened");

    /// <summary>
    /// Makes the connection's handler: called once, before any bytes move (a factory's failure is the engine's to
    /// <see cref="Fail"/>). When a layer names the client (the PROXY header), the handler is made once it has.
    /// </summary>
    public void Open()
    {
        foreach (ByteLayer layer in _layers)
        {
            if (layer.NamesClient) return;
        }
        _handler = _observer.CreateHandler(Info);
    }

    /// <summary>Ends the conversation for <paramref name="reason"/>: what is pending still goes out first.</summary>
    public void Finish(ConnectionCloseReason reason)
    {
        IsDone = true;
        CloseReason = reason;
    }

    /// <summary>Bytes read from the socket: up the layers (if any) to the handler.</summary>
    public void Received(ReadOnlyMemory<byte> bytes)
    {
        if (_bottom is { } bottom)
        {
            bottom.Receive(bytes);
        }
        else
        {
            DeliverToHandler(bytes);
        }
    }

    /// <summary>The peer finished sending (a read returned 0): up the layers; the handler has its last word, then the connection closes.</summary>
    public void PeerFinished()
    {
        if (_bottom is { } bottom)
        {
            bottom.ReceiveEnd();
        }
        else
        {
            EndForHandler();
        }
    }

    /// <summary>
    /// Hands bytes that arrived to the handler, told to the observer; then tells the connection's clock where its
    /// conversation stands (between requests, in a header, in content), which decides the timeout that applies next.
    /// </summary>
    private void DeliverToHandler(ReadOnlyMemory<byte> bytes)
    {
        NextStep step = Feed(Handler, bytes);
        Announce();
        if (step == NextStep.CloseAfterSending)
        {
            Finish(ConnectionCloseReason.Done);
        }
    }

    private NextStep Feed(IConnectionHandler handler, ReadOnlyMemory<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            _observer.Received(Info, bytes.Span);
        }
        if (handler.Phase == ConnectionPhase.Handling)
        {
            // The handler is at work on a whole request: later requests wait for it (reading goes on, so a peer that
            // leaves is noticed, until they reach MaxPipelinedBytes), and its deadline is the handler's.
            _input.Append(bytes);
            Tracked.Clock.Received(ConnectionPhase.Handling, bytes.Length);
            return NextStep.Receive;
        }
        NextStep step = _input.Feed(handler, bytes, _output);
        ConnectionPhase phase = handler.Phase == ConnectionPhase.Idle && _input.UnconsumedBytes > 0 ? ConnectionPhase.Request : handler.Phase;
        Tracked.Clock.Received(phase, bytes.Length);
        return step;
    }

    /// <summary>The stream above the layers ended: the handler has its last word, and the conversation is over.</summary>
    private void EndForHandler()
    {
        _input.Finish(Handler, _output);
        Announce();
        IsDone = true;
    }

    // What the layers tell the connection: not the engine's to call.

    void IByteLayerHost.Deliver(ReadOnlyMemory<byte> bytes) => DeliverToHandler(bytes);

    void IByteLayerHost.DeliverEnd() => EndForHandler();

    /// <summary>
    /// A layer's own bytes (the PROXY header, read before the handler and TLS): counted and logged as bytes received,
    /// and timed as a request begun, so the request timeout from the connection's start bounds the header, the
    /// handshake and the first request together, and a drain waits for the request it announces.
    /// </summary>
    void IByteLayerHost.ReceivedOwn(ReadOnlySpan<byte> bytes)
    {
        _observer.Received(Info, bytes);
        Tracked.Clock.Received(ConnectionPhase.Request, bytes.Length);
    }

    /// <summary>A layer named the client: admitted (or not) by the server, and its handler made for it.</summary>
    bool IByteLayerHost.NameClient(ConnectionInfo client)
    {
        if (!_observer.AdmitClient(Tracked, client))
        {
            return false;
        }
        Tracked.Handle.Info = client;
        _handler = _observer.CreateHandler(client);
        return true;
    }

    /// <summary>A layer's handshake ended: its deadline is lifted; a failure ends the connection, logged.</summary>
    void IByteLayerHost.HandshakeDone(X509Certificate2? clientCertificate, Exception? failure)
    {
        Tracked.Clock.HandshakeDone();
        if (failure is not null)
        {
            _observer.HandshakeFailed(Info, failure);
            Finish(ConnectionCloseReason.Failed);
        }
        else
        {
            _observer.Secured(Info, clientCertificate);
        }
    }

    /// <summary>A layer ends the conversation, without the handler's word.</summary>
    void IByteLayerHost.End(ConnectionCloseReason reason) => Finish(reason);

    /// <summary>
    /// True while the handler is at work on a request and the bytes of later ones that wait for it reached
    /// <see cref="ServerLimits.MaxPipelinedBytes"/>: the engine reads no more until the handler answers.
    /// </summary>
    public bool ReadPaused => _input.UnconsumedBytes >= _limits.MaxPipelinedBytes && _handler?.Phase == ConnectionPhase.Handling;

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
                    throw new SendBufferFullException(_limits.MaxSendBufferBytes);
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
        NextStep step = Feed(handler, ReadOnlyMemory<byte>.Empty);
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
            _observer.Sending(Info, _output.WrittenSpan[_announced..], _output.WrittenCount);
            _announced = _output.WrittenCount;
        }
    }

    /// <summary>The bytes to send now: the handler's, through the layers that change them (TLS encrypts them first); then call <see cref="Sent"/>.</summary>
    public ReadOnlyMemory<byte> Pending()
    {
        if (_outbound.Length == 0)
        {
            return _output.WrittenMemory[_sent..];
        }
        PassDown(_outbound.Length);
        return _outbound[^1].Outgoing;
    }

    /// <summary>Moves what the handler wrote down through the first <paramref name="layers"/> layers that change outbound bytes.</summary>
    private void PassDown(int layers)
    {
        if (_output.WrittenCount > 0)
        {
            _outbound[0].Write(_output.WrittenMemory);
            ResetOutput();
        }
        for (int i = 1; i < layers; i++)
        {
            ByteLayer above = _outbound[i - 1];
            int count = above.OutgoingCount;
            if (count > 0)
            {
                _outbound[i].Write(above.Outgoing);
                above.Consume(count);
            }
        }
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
        if (_outbound.Length == 0)
        {
            _sent += count;
            allSent = _sent == _output.WrittenCount;
            if (allSent)
            {
                ResetOutput();
            }
        }
        else
        {
            _outbound[^1].Consume(count);
            allSent = _output.WrittenCount == 0 && !LayersHoldBytes();
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
    /// Once the conversation is over and the last response is out: each layer that changes outbound bytes says its
    /// goodbye (TLS's close_notify, before the FIN, as a TLS connection ends), the handler's side first. True when
    /// that left bytes to send.
    /// </summary>
    public bool SayGoodbye()
    {
        if (_outbound.Length == 0 || HasPending)
        {
            return false;
        }
        for (int i = 0; i < _outbound.Length; i++)
        {
            PassDown(i + 1);
            _outbound[i].Close();
        }
        return HasPending;
    }

    /// <summary>The connection is closed: its layers let go of their buffers.</summary>
    public void Dispose()
    {
        foreach (ByteLayer layer in _layers)
        {
            layer.Dispose();
        }
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
            default:
                // The socket failing, a stream's own failure (a TLS record that does not decrypt), or a handler's bug:
                // the observer words each.
                _observer.Failed(Info, failure);
                return ConnectionCloseReason.Failed;
        }
    }
}
