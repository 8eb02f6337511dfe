namespace SocketKit.Diagnostics.Trace;

/// <summary>What the relay shows and records.</summary>
public sealed record TraceOptions
{
    /// <summary>Also show every read as it came off the socket (a TCP segment or several), in hex. Default false.</summary>
    public bool Raw { get; init; }

    /// <summary>Write what crossed the relay to this pcap file; null (the default) writes none.</summary>
    public string? PcapPath { get; init; }

    /// <summary>The longest to wait for the upstream connection (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Binary content dumped per message at most, in bytes (default 512).</summary>
    public int MaxDumpBytes { get; init; } = 512;
}

/// <summary>
/// A transparent TCP relay: accepts connections, opens one to the upstream server for each, copies bytes both ways
/// unchanged (half-closes included), and describes every protocol message crossing it with a <see cref="ProtocolTracer"/>
/// per direction. The decoding is a side copy: it never delays, alters or drops the relayed bytes.
/// </summary>
public sealed class TraceRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly TraceOptions _options;
    private readonly Action<TraceEvent> _write;
    private readonly PcapWriter? _pcap;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private int _connectionCount;

    private TraceRelay(Socket listener, string upstreamHost, int upstreamPort, TraceOptions options, Action<TraceEvent> write)
    {
        (_listener, _upstreamHost, _upstreamPort, _options, _write) = (listener, upstreamHost, upstreamPort, options, write);
        _pcap = options.PcapPath is null ? null : new PcapWriter(File.Create(options.PcapPath));
        Completion = AcceptLoopAsync();
    }

    /// <summary>Where the relay listens (with the port the system chose for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Completes when the relay has stopped.</summary>
    public Task Completion { get; }

    /// <summary>Binds <paramref name="listen"/> at once and starts relaying to the upstream; each event goes to <paramref name="write"/> (called from several threads, one event at a time).</summary>
    /// <exception cref="NetworkException">The listening address is in use or not this machine's.</exception>
    /// <exception cref="IOException">The capture file cannot be created.</exception>
    public static TraceRelay Start(IPEndPoint listen, string upstreamHost, int upstreamPort, TraceOptions options, Action<TraceEvent> write)
    {
        Socket listener = Listeners.Listen(listen, 128);
        try
        {
            return new TraceRelay(listener, upstreamHost, upstreamPort, options, write);
        }
        catch
        {
            listener.Dispose(); // No relay to stop it: the port is freed here.
            throw;
        }
    }

    private Task AcceptLoopAsync() => Listeners.AcceptUntilStoppedAsync(_listener, client =>
    {
        int id = Interlocked.Increment(ref _connectionCount);
        lock (_connections)
        {
            _connections.RemoveAll(t => t.IsCompleted);
            _connections.Add(RelayOrSayWhyNotAsync(id, client));
        }
    }, _stop.Token);

    /// <summary>Relays one connection; a failure the relay did not foresee is printed, never a connection dropped without a word.</summary>
    private async Task RelayOrSayWhyNotAsync(int id, Socket client)
    {
        try
        {
            await RelayAsync(id, client);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Emit(id, $"relay failed: {ex.Message.TrimEnd('.')}; closing");
        }
    }

    private async Task RelayAsync(int id, Socket client)
    {
        using (client)
        {
            var clientEnd = (IPEndPoint)client.RemoteEndPoint!;
            Socket upstream;
            try
            {
                upstream = await Listeners.ConnectAsync(_upstreamHost, _upstreamPort, _options.ConnectTimeout, _stop.Token);
            }
            catch (NetworkException ex)
            {
                Emit(id, $"client {EndPoints.Format(clientEnd)} connected; upstream failed: {ex.Message} ({ex.Advice.ErrnoName}); closing");
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using (upstream)
            {
                EndPoint serverEnd = upstream.RemoteEndPoint!;
                Emit(id, $"{EndPoints.Format(clientEnd)} connected; relaying to {EndPoints.Format(serverEnd)}");
                PcapFlow? flow = null;
                if (_pcap is not null)
                {
                    // A conversation in the capture is between the client and the upstream address: what the client meant to
                    // reach. A capture holds IP only: an upstream of another family (IPv6, a Unix socket) is recorded as the relay.
                    IPEndPoint recordedServer = serverEnd is IPEndPoint ip && ip.AddressFamily == clientEnd.AddressFamily ? ip : LocalEndPoint;
                    flow = _pcap.Open(clientEnd, recordedServer);
                }
                (ProtocolTracer requests, ProtocolTracer answers) = ProtocolTracer.ForConnection(_options.MaxDumpBytes);
                Task up = PumpAsync(id, client, upstream, "client -> server", true, flow, requests);
                Task down = PumpAsync(id, upstream, client, "server -> client", false, flow, answers);
                await Task.WhenAll(up, down);
                Emit(id, "closed");
            }
        }
    }

    private async Task PumpAsync(int id, Socket from, Socket to, string direction, bool fromClient, PcapFlow? flow, ProtocolTracer tracer)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    Emit(id, $"{direction}: end of stream (the {(fromClient ? "client" : "server")} closed its side)");
                    flow?.Close(fromClient);
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                // Recorded and printed before it is passed on: the answer cannot come, and be printed, before the request.
                flow?.Data(fromClient, buffer.AsSpan(0, n));
                if (_options.Raw)
                {
                    Emit(id, $"{direction}: read {n} bytes\n" + HexDump.Format(buffer.AsSpan(0, n), maxBytes: _options.MaxDumpBytes));
                }
                foreach (string message in tracer.Feed(buffer.AsSpan(0, n)))
                {
                    Emit(id, $"{direction}: {message}");
                }
                int sent = 0;
                while (sent < n)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (SocketException ex)
        {
            SocketErrorAdvice advice = SocketErrorGuide.For(SocketErrorGuide.Classify(ex.SocketErrorCode));
            Emit(id, $"{direction}: {advice.ErrnoName}: {advice.Summary}");
            // Pass the abort on, as a reset, so the other side learns of it as it would without the relay.
            to.LingerState = new LingerOption(true, 0);
            to.Close();
            from.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Emit(int id, string text) =>
        _write(new TraceEvent(DateTime.UtcNow, id, text.TrimEnd('\n')));

    /// <summary>Stops accepting, ends every relayed connection, and closes the pcap file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _pcap?.Dispose();
        _stop.Dispose();
    }
}
