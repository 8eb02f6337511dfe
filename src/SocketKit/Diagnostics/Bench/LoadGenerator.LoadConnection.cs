using SocketKit.Transport.Clients;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>
    /// One of the run's connections, as the loop's <see cref="IClientLogic"/>: it claims a request (or a pipelined batch),
    /// writes it, reads the answers (echo: every byte back; app: through a <see cref="ClientConversation"/>), records
    /// each latency, and goes on. A connection that fails, that the server closes, or whose answer is not back within
    /// the timeout, is counted and made again; with one request per connection (app one-shot) or once its keep-alive
    /// count is spent, a new one is made for the next request. Its deadline is the request's timeout while one is in
    /// flight, and otherwise when it next sends (an open loop's due time, an interval's end, a paced start).
    /// </summary>
    private sealed class LoadConnection(Run run, ClientLoop loop) : IClientLogic
    {
        private enum Idle
        {
            None,
            Gate, // The first connection is open; the run holds every one idle until the gate opens.
            Spread, // A paced load's first request waits for a random point of the interval.
            Due, // An open loop's next request is due later.
            Interval, // A paced load's pause after an answer.
        }

        private readonly BenchOptions _options = run.Options;
        private readonly bool _oneShot = run.Options.Kind == BenchKind.App && run.Options.KeepAlive == 1;
        private readonly Pacer? _pacer = run.NewPacer();
        private readonly ResponseReader? _reader = run.Options.Kind == BenchKind.App ? new ResponseReader(run) : null;
        private readonly long _timeout = ClientLoop.Ticks(run.Options.Timeout);
        private ClientConnection? _connection;
        private bool _first = true;
        private bool _finished;
        private Idle _idle;
        private long _due; // In an open loop, when the request waiting to go is due ...
        private bool _dueTaken; // ... once one is taken for a connection being made.
        private bool _dueFromConnect; // It was not overdue: its latency counts from when the connect started.
        private long _connectStart;
        private int _usedOnConnection;
        // The request (or batch) in flight.
        private Stats? _stats;
        private bool _inFlight;
        private long _sentAt;
        private int _batch;
        private int _answered;
        private int _received;
        private bool _same;

        public void Start() => _connection = loop.Connect(this);

        /// <summary>The run's gate opened: a connection held idle at it starts.</summary>
        public void GateOpened()
        {
            if (_idle == Idle.Gate && _connection is { IsClosed: false } connection)
            {
                _idle = Idle.None;
                AfterGate(connection);
            }
        }

        public void Opened(ClientConnection connection)
        {
            if (_first)
            {
                _first = false;
                run.Connected();
                if (run.HandshakeLogger() is { } logger && connection.Channel!.Tls is { } pump)
                {
                    pump.LogEstablished(logger, loop.Remote);
                }
                if (!run.GateOpen)
                {
                    _idle = Idle.Gate;
                    return;
                }
                AfterGate(connection);
                return;
            }
            _connectStart = connection.StartedAt;
            _usedOnConnection = 0;
            _reader?.Reset();
            if (!run.GateOpen)
            {
                _idle = Idle.Gate; // Made again during the idle hold: it waits too.
                return;
            }
            Ready(connection);
        }

        public void Received(ClientConnection connection, ReadOnlySpan<byte> bytes)
        {
            if (!_inFlight)
            {
                // Bytes no request asked for: nothing of this connection can be trusted.
                connection.Close();
                NextConnection();
                return;
            }
            _received += bytes.Length;
            if (_reader is null)
            {
                ReceivedEcho(connection, bytes);
            }
            else
            {
                ReceivedAnswers(connection, bytes);
            }
        }

        public void Ended(ClientConnection connection)
        {
            if (_inFlight)
            {
                _reader?.Ended();
                Lost(BenchErrors.Closed);
            }
            NextConnection();
        }

        public void Failed(ClientConnection connection, ClientPhase phase, Exception failure)
        {
            if (phase is ClientPhase.Open)
            {
                if (_inFlight)
                {
                    Lost(KindOf(failure));
                }
                NextConnection();
                return;
            }
            ConnectFailed(KindOf(failure));
        }

        public void TimedOut(ClientConnection connection, ClientPhase phase)
        {
            if (phase != ClientPhase.Open)
            {
                // A server that said nothing to the TLS hello is no TLS server: the handshake failed rather than ran slow.
                bool silent = phase == ClientPhase.Handshaking && connection.Channel!.FirstReceived.IsEmpty;
                ConnectFailed(silent ? BenchErrors.TlsFailed : BenchErrors.TimedOut);
                return;
            }
            if (_inFlight)
            {
                Lost(BenchErrors.TimedOut);
                connection.Close();
                NextConnection();
                return;
            }
            Idle idle = _idle;
            _idle = Idle.None;
            switch (idle)
            {
                case Idle.Due:
                    Begin(connection, _due, ClientLoop.Now); // Idle until due: the latency counts from the send.
                    break;
                case Idle.Spread or Idle.Interval:
                    Ready(connection);
                    break;
            }
        }

        /// <summary>The first connection is open and the gate too: measuring starts here for a one-shot request; a paced load spreads its first request.</summary>
        private void AfterGate(ClientConnection connection)
        {
            _connectStart = ClientLoop.Now;
            if (_options.Interval > TimeSpan.Zero)
            {
                _idle = Idle.Spread;
                connection.Deadline = ClientLoop.Now + Random.Shared.NextInt64(ClientLoop.Ticks(_options.Interval));
                return;
            }
            Ready(connection);
        }

        /// <summary>An open connection with nothing in flight: the next request goes now, or when it is due.</summary>
        private void Ready(ClientConnection connection)
        {
            if (_pacer is null)
            {
                Begin(connection, null, _oneShot ? _connectStart : ClientLoop.Now);
                return;
            }
            if (_dueTaken)
            {
                // The connection was made for this request: its latency counts from when it was due, or from the connect.
                _dueTaken = false;
                Begin(connection, _due, _dueFromConnect ? _connectStart : _due);
                return;
            }
            long due = _pacer.Next();
            long now = ClientLoop.Now;
            if (due >= run.StopTimestamp)
            {
                Finish();
            }
            else if (due > now)
            {
                _due = due;
                _idle = Idle.Due;
                connection.Deadline = due;
            }
            else
            {
                Begin(connection, due, due); // Overdue: the latency counts from when it was due.
            }
        }

        /// <summary>Claims a request (and the rest of a pipelined batch) and writes it; its latency counts from <paramref name="from"/>.</summary>
        private void Begin(ClientConnection connection, long? due, long from)
        {
            if (run.Claim(due) is not { } stats)
            {
                Finish();
                return;
            }
            _stats = stats;
            _batch = 1;
            if (_reader is not null)
            {
                while (_batch < _options.Pipeline && _usedOnConnection + _batch < _options.KeepAlive && run.Claim() is not null)
                {
                    _batch++;
                }
            }
            _inFlight = true;
            _sentAt = from;
            _answered = 0;
            _received = 0;
            _same = true;
            connection.Deadline = ClientLoop.Now + _timeout;
            if (_reader is null)
            {
                connection.Write(run.EchoPayload);
                return;
            }
            _reader.Sent(_batch, keepAlive: !_oneShot);
            connection.Write(run.RequestBatch.AsMemory(0, _batch * run.RequestBytes));
        }

        private void ReceivedEcho(ClientConnection connection, ReadOnlySpan<byte> bytes)
        {
            byte[] payload = run.EchoPayload;
            int at = _received - bytes.Length;
            if (_options.Verify && (_received > payload.Length || !bytes.SequenceEqual(payload.AsSpan(at, bytes.Length))))
            {
                _same = false;
            }
            if (_received < payload.Length)
            {
                return;
            }
            _inFlight = false;
            _stats!.Answered(_sentAt, payload.Length, _received, _same ? null : BenchErrors.WrongBytes);
            AfterAnswer(connection);
        }

        private void ReceivedAnswers(ClientConnection connection, ReadOnlySpan<byte> bytes)
        {
            ResponseReader reader = _reader!;
            reader.Append(bytes);
            try
            {
                while (reader.TryNext(out string? wrong, out bool keptAlive))
                {
                    _stats!.Answered(_sentAt, _answered == 0 ? _batch * run.RequestBytes : 0, _received, wrong);
                    _received = 0;
                    _answered++;
                    if (reader.ServerCloses)
                    {
                        // The server closes after this answer: as asked (one-shot), or keep-alive not granted, when the
                        // rest of the batch is lost with it.
                        if (!_oneShot && !keptAlive && wrong is null)
                        {
                            _stats.NotKept();
                        }
                        for (int lost = 0; lost < reader.InFlight; lost++)
                        {
                            _stats.Error(BenchErrors.Closed);
                        }
                        _inFlight = false;
                        connection.Close();
                        NextConnection();
                        return;
                    }
                    if (_answered == _batch)
                    {
                        _inFlight = false;
                        _usedOnConnection += _batch;
                        if (_usedOnConnection >= _options.KeepAlive)
                        {
                            connection.Close();
                            NextConnection();
                            return;
                        }
                        AfterAnswer(connection);
                        return;
                    }
                }
            }
            catch (ProtocolException ex)
            {
                Lost(KindOf(ex));
                connection.Close();
                NextConnection();
            }
        }

        /// <summary>The request in flight failed: counted once (a batch with it), and the connection goes.</summary>
        private void Lost(string kind)
        {
            _inFlight = false;
            _stats!.Error(kind);
        }

        private void AfterAnswer(ClientConnection connection)
        {
            if (_options.Interval > TimeSpan.Zero)
            {
                _idle = Idle.Interval;
                connection.Deadline = ClientLoop.Now + ClientLoop.Ticks(_options.Interval);
                return;
            }
            Ready(connection);
        }

        /// <summary>
        /// This connection is over (closed as planned, or lost): the next one is made. In an open loop it is part of its
        /// request, so the connect waits for the request's due time and counts in its latency, as a one-shot request's
        /// connect does in a closed loop.
        /// </summary>
        private void NextConnection(long notBefore = 0)
        {
            _connection = null;
            _idle = Idle.None;
            long now = ClientLoop.Now;
            if (_finished || run.Token.IsCancellationRequested || now >= run.StopTimestamp)
            {
                Finish();
                return;
            }
            if (_pacer is not null && !_first)
            {
                long due = _pacer.Next();
                if (due >= run.StopTimestamp)
                {
                    Finish();
                    return;
                }
                _due = due;
                _dueTaken = true;
                _dueFromConnect = due > Math.Max(now, notBefore);
                notBefore = Math.Max(notBefore, due);
            }
            else if (_options.Interval > TimeSpan.Zero && !_first)
            {
                notBefore = Math.Max(notBefore, now + ClientLoop.Ticks(_options.Interval));
            }
            _connection = loop.Connect(this, notBefore);
        }

        /// <summary>A connect or handshake failed or timed out: counted, then tried again after a pause (in an open loop, that request is spent).</summary>
        private void ConnectFailed(string kind)
        {
            run.ConnectError(kind);
            _dueTaken = false;
            NextConnection(ClientLoop.Now + ClientLoop.Ticks(RetryPause));
        }

        /// <summary>The run is spent for this connection: it closes and makes no other.</summary>
        private void Finish()
        {
            _finished = true;
            _idle = Idle.None;
            _connection?.Close();
            _connection = null;
        }
    }
}
