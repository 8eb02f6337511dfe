namespace SocketKit.Transport.Connections;

/// <summary>
/// One connection's deadlines, read by the server's heartbeat. The engine says what happens (bytes in, a request
/// complete, a send begun, progress, a send done); <see cref="Check"/> says whether a timeout is due. A request's
/// deadline is set when its first byte arrives and never moved by later bytes, so dribbling does not reset it. With TLS,
/// the handshake has a deadline of its own from the connection's start, until the engine says it is over.
/// </summary>
internal sealed class ConnectionClock
{
    private readonly Lock _gate;
    private readonly ServerTimeouts _timeouts;
    private readonly TimeProvider _time;
    private long _deadline;
    private ConnectionCloseReason _deadlineReason;
    private bool _inRequest;
    private long _sendStarted = -1;
    private long _sendProgress;
    private long _contentStarted = -1; // When the content's current stretch of waiting on the peer began.
    private TimeSpan _contentEarlier;  // Time waited on the peer in earlier stretches of the same content.
    private long _contentBytes;
    private long _handshakeDeadline = -1; // While a TLS handshake is under way; -1 once it is over, or without TLS.

    /// <param name="timeouts">The request, idle and data-rate bounds.</param>
    /// <param name="time">The server's clock.</param>
    /// <param name="handshakeTimeout">With TLS, how long the handshake may take from now; null without TLS.</param>
    /// <param name="gate">
    /// The lock to take: the one thread's that alone uses the clock (a readiness loop's, shared by its connections, so
    /// an idle connection holds none of its own); null for a clock the heartbeat reads from a thread of its own.
    /// </param>
    public ConnectionClock(ServerTimeouts timeouts, TimeProvider time, TimeSpan? handshakeTimeout = null, Lock? gate = null)
    {
        _gate = gate ?? new Lock();
        _timeouts = timeouts;
        _time = time;
        if (handshakeTimeout is { } handshake)
        {
            _handshakeDeadline = time.GetTimestamp() + Ticks(handshake);
        }
        // The first request is timed from the connection's start: a peer that connects and sends nothing is a slowloris too.
        _deadline = time.GetTimestamp() + Ticks(timeouts.RequestTimeout);
        _deadlineReason = ConnectionCloseReason.RequestTimeout;
    }

    /// <summary>True when no request is in flight and nothing waits to be sent: the connection may be closed on stop without losing anything.</summary>
    public bool IsIdle
    {
        get { lock (_gate) return !_inRequest && _sendStarted < 0; }
    }

    /// <summary><paramref name="bytes"/> arrived and were handed to the handler, whose conversation now stands at <paramref name="phase"/>.</summary>
    public void Received(ConnectionPhase phase, int bytes)
    {
        bool betweenRequests = phase == ConnectionPhase.Idle;
        bool inContent = phase == ConnectionPhase.Content;
        lock (_gate)
        {
            if (inContent && !betweenRequests)
            {
                if (_contentStarted < 0)
                {
                    // The clock starts when the header is whole; the content bytes that came with it are not counted,
                    // which errs on the peer's side by less than one read.
                    _contentStarted = _time.GetTimestamp();
                    _contentEarlier = TimeSpan.Zero;
                    _contentBytes = 0;
                }
                else
                {
                    _contentBytes += bytes;
                }
            }
            else
            {
                _contentStarted = -1;
            }

            if (phase == ConnectionPhase.Handling)
            {
                // Set once, when the handler begins: bytes of later requests arriving meanwhile do not move it.
                _inRequest = true;
                if (_deadlineReason != ConnectionCloseReason.HandlerTimeout)
                {
                    _deadline = _time.GetTimestamp() + Ticks(_timeouts.HandlerTimeout);
                    _deadlineReason = ConnectionCloseReason.HandlerTimeout;
                }
            }
            else if (betweenRequests)
            {
                if (_inRequest || _deadlineReason == ConnectionCloseReason.RequestTimeout)
                {
                    _deadline = _time.GetTimestamp() + Ticks(_timeouts.IdleTimeout);
                    _deadlineReason = ConnectionCloseReason.IdleTimeout;
                }
                _inRequest = false;
            }
            else if (!_inRequest || _deadlineReason == ConnectionCloseReason.HandlerTimeout)
            {
                // A request begun, or (after a handler answered) the next one already begun: timed from now.
                _inRequest = true;
                if (_deadlineReason != ConnectionCloseReason.RequestTimeout)
                {
                    _deadline = _time.GetTimestamp() + Ticks(_timeouts.RequestTimeout);
                    _deadlineReason = ConnectionCloseReason.RequestTimeout;
                }
            }
        }
    }

    /// <summary>The TLS handshake finished, well or not: its deadline no longer applies.</summary>
    public void HandshakeDone()
    {
        lock (_gate) _handshakeDeadline = -1;
    }

    /// <summary>A send of bytes began; until <see cref="SendDone"/> the reader's rate is what is timed.</summary>
    public void SendStarted()
    {
        lock (_gate)
        {
            _sendStarted = _time.GetTimestamp();
            _sendProgress = 0;
            if (_contentStarted >= 0)
            {
                _contentEarlier += _time.GetElapsedTime(_contentStarted, _sendStarted);
            }
        }
    }

    /// <summary>The peer took <paramref name="bytes"/> more bytes of the current send.</summary>
    public void Sent(int bytes)
    {
        lock (_gate) _sendProgress += bytes;
    }

    /// <summary>Everything written has gone out; the idle deadline starts now when no request is in flight.</summary>
    public void SendDone()
    {
        lock (_gate)
        {
            _sendStarted = -1;
            if (_contentStarted >= 0)
            {
                // An engine may stop reading while it waits on the reader; that time is the server's, not the sender's.
                _contentStarted = _time.GetTimestamp();
            }
            if (!_inRequest)
            {
                _deadline = _time.GetTimestamp() + Ticks(_timeouts.IdleTimeout);
                _deadlineReason = ConnectionCloseReason.IdleTimeout;
            }
        }
    }

    /// <summary>
    /// The earliest timestamp at which <see cref="Check"/> could report a timeout, as things stand: a timer that looks
    /// then, and again whenever what happens brings this forward, never misses a deadline.
    /// </summary>
    public long NextCheckAt
    {
        get
        {
            lock (_gate)
            {
                long handshake = _handshakeDeadline >= 0 ? _handshakeDeadline : long.MaxValue;
                if (_sendStarted >= 0)
                {
                    return Math.Min(handshake, _sendStarted + Ticks(_timeouts.MinDataRateGracePeriod));
                }
                long due = Math.Min(handshake, _deadline);
                if (_contentStarted >= 0)
                {
                    // The average falls below the rate once the wait passes both the grace period and bytes / rate.
                    double seconds = Math.Max(_timeouts.MinDataRateGracePeriod.TotalSeconds, _contentBytes / _timeouts.MinRequestContentBytesPerSecond)
                        - _contentEarlier.TotalSeconds;
                    due = Math.Min(due, _contentStarted + (long)(Math.Max(0, seconds) * _time.TimestampFrequency));
                }
                return due;
            }
        }
    }

    /// <summary>The timeout that is due now, if any. Called by the heartbeat, at the tick (of <see cref="ServerTimeouts.HeartbeatPeriod"/>) of its next deadline or sooner.</summary>
    public ConnectionCloseReason? Check()
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_handshakeDeadline >= 0 && now >= _handshakeDeadline)
            {
                return ConnectionCloseReason.HandshakeTimeout; // Whatever else is under way: no conversation without it.
            }
            if (_sendStarted >= 0)
            {
                // The rate is measured over each grace period in turn, so bytes the kernel took at once early on
                // cannot pay for a reader that stopped reading later.
                TimeSpan window = _time.GetElapsedTime(_sendStarted, now);
                if (window >= _timeouts.MinDataRateGracePeriod)
                {
                    if (_sendProgress < _timeouts.MinResponseBytesPerSecond * window.TotalSeconds)
                    {
                        return ConnectionCloseReason.SlowReader;
                    }
                    _sendStarted = now;
                    _sendProgress = 0;
                }
                return null; // While the server waits on the reader, the request and idle deadlines do not apply.
            }
            if (_contentStarted >= 0)
            {
                // Kestrel's MinRequestBodyDataRate: the average since the content began, so a network's stall of a few
                // seconds (a retransmission timeout backing off) does not cut off a transfer that is well ahead. A peer
                // that stops after a burst is still closed by the request timeout, which bounds the whole request.
                TimeSpan waited = _contentEarlier + _time.GetElapsedTime(_contentStarted, now);
                if (waited >= _timeouts.MinDataRateGracePeriod && _contentBytes < _timeouts.MinRequestContentBytesPerSecond * waited.TotalSeconds)
                {
                    return ConnectionCloseReason.SlowRequestContent;
                }
            }
            return now >= _deadline ? _deadlineReason : null;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
