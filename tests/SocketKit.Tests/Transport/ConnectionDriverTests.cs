using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The lifecycle every engine shares, with no socket moving bytes: what the handler writes is pending until the socket
/// takes it, only a send not taken whole is timed against the reader, and one classifier says why a failure ends a
/// connection, logged once.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class ConnectionDriverTests : IDisposable
{
    private readonly Socket _bound = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Lines _log = new();
    private readonly Engine _engine;
    private readonly IPEndPoint _peer = new(IPAddress.Loopback, 40_000);

    public ConnectionDriverTests()
    {
        // Bound, never listening: the engine reads its address and nothing else.
        _bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _engine = new Engine(_bound, new ServerOptions { EndPoint = _bound.LocalEndPoint! }, _ => new EchoHandler(), _log);
    }

    public void Dispose() => _bound.Dispose();

    private ConnectionDriver Open(Func<ConnectionInfo, IConnectionHandler>? handler = null)
    {
        var info = new ConnectionInfo(1, _bound.LocalEndPoint!, _peer);
        var tracked = new ServerConnection(info, new ConnectionClock(ServerTimeouts.Default, TimeProvider.System));
        ConnectionDriver driver = (handler is null ? _engine : new Engine(_bound, new ServerOptions { EndPoint = _bound.LocalEndPoint! }, handler, _log)).CreateDriver(tracked);
        driver.Open();
        return driver;
    }

    [Fact]
    public void WhatTheHandlerWritesIsPendingUntilTheSocketTakesAllOfItAndOnlyAPartialSendTimesTheReader()
    {
        ConnectionDriver driver = Open();
        byte[] message = Encoding.ASCII.GetBytes("hello, driver");
        driver.Received(message);
        Assert.True(driver.HasPending);
        Assert.Equal(message, driver.Pending().ToArray());
        Assert.True(driver.Tracked.Clock.IsIdle); // Nothing sent yet: nothing to time.

        driver.Sent(5);
        Assert.Equal(message[5..], driver.Pending().ToArray());
        Assert.False(driver.Tracked.Clock.IsIdle); // The socket did not take it whole: the reader is being waited on.

        driver.Sent(message.Length - 5);
        Assert.False(driver.HasPending);
        Assert.True(driver.Pending().IsEmpty);
        Assert.True(driver.Tracked.Clock.IsIdle);
        Assert.False(driver.IsDone);
        Assert.Single(_log.Texts, line => line == $"Sending {message.Length} bytes on connection 1");
    }

    [Fact]
    public void ABlockingSendTimesTheReaderFromItsStartUntilAllIsOut()
    {
        ConnectionDriver driver = Open();
        driver.Received(new byte[] { 1, 2, 3 });
        driver.Sending();
        Assert.False(driver.Tracked.Clock.IsIdle);
        driver.Sent(3);
        Assert.True(driver.Tracked.Clock.IsIdle);
    }

    [Fact]
    public void ThePeerFinishingEndsTheConversationAsPeerClosed()
    {
        ConnectionDriver driver = Open();
        driver.PeerFinished();
        Assert.True(driver.IsDone);
        Assert.False(driver.HasPending);
        Assert.Equal(ConnectionCloseReason.PeerClosed, driver.CloseReason);
    }

    [Fact]
    public void AHandlerThatClosesAfterSendingEndsTheConversationAsDoneWithItsBytesStillPending()
    {
        byte[] reply = [42];
        ConnectionDriver driver = Open(_ => new ReplyOnceHandler(reply));
        driver.Received(new byte[] { 0 });
        Assert.True(driver.IsDone);
        Assert.Equal(ConnectionCloseReason.Done, driver.CloseReason);
        Assert.Equal(reply, driver.Pending().ToArray());
    }

    public static TheoryData<string> Failures => ["buffer", "reset", "unreachable", "io-socket", "io", "canceled", "disposed", "bug"];

    private static Exception Failure(string name) => name switch
    {
        "buffer" => new SendBufferFullException(10),
        "reset" => new SocketException((int)SocketError.ConnectionReset),
        "unreachable" => new SocketException((int)SocketError.HostUnreachable),
        "io-socket" => new IOException("wrapped", new SocketException((int)SocketError.ConnectionReset)),
        "io" => new IOException("a TLS record that does not decrypt"),
        "canceled" => new OperationCanceledException(),
        "disposed" => new ObjectDisposedException("socket"),
        _ => new InvalidOperationException("handler bug"),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void EveryFailureHasOneReasonAndAtMostOneLogLine(string name)
    {
        ConnectionDriver driver = Open();
        Exception failure = Failure(name);
        ConnectionCloseReason expected = name switch
        {
            "buffer" => ConnectionCloseReason.SendBufferFull,
            "canceled" or "disposed" => ConnectionCloseReason.ServerStopping,
            _ => ConnectionCloseReason.Failed,
        };
        string connection = $"Connection 1 from {EndPoints.Format(_peer)}";
        string? line = name switch
        {
            "reset" or "io-socket" => $"{connection} was reset by the peer",
            "unreachable" => $"{connection} failed: ",
            "io" => $"{connection} failed: {failure.Message}",
            "bug" => $"{connection} closed: its handler failed: InvalidOperationException: {failure.Message}",
            _ => null,
        };

        Assert.Equal(expected, driver.Fail(failure));
        Assert.Equal(expected, driver.Fail(new InvalidOperationException("a second failure")));
        Assert.True(driver.IsDone);
        Assert.Equal(expected, driver.CloseReason);
        string[] lines = [.. _log.Texts];
        if (line is null)
        {
            Assert.Empty(lines);
        }
        else
        {
            Assert.Single(lines);
            Assert.StartsWith(line, lines[0], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("reset")]
    [InlineData("io-socket")]
    [InlineData("canceled")]
    [InlineData("disposed")]
    public void AnOperationTheServerCutShortEndsForTheServersReasonWithNoLine(string name)
    {
        ConnectionDriver driver = Open();
        Assert.True(driver.Tracked.Abort(ConnectionCloseReason.SlowReader));
        Assert.Equal(ConnectionCloseReason.SlowReader, driver.Fail(Failure(name)));
        Assert.Empty(_log.Texts);
    }

    [Fact]
    public void BehindAProxyHeaderTheLayersAboveGetOnlyTheBytesAfterItAndTheHandlerIsMadeForTheClientItNames()
    {
        var above = new List<byte>();
        var made = new List<ConnectionInfo>();
        var options = new ServerOptions
        {
            EndPoint = _bound.LocalEndPoint!,
            ProxyHeaderBytes = 536,
            ByteLayers = [_ => new RecordingLayer(above)],
        };
        var engine = new Engine(_bound, options, client =>
        {
            made.Add(client);
            return new EchoHandler();
        }, _log);
        var handle = new ConnectionHandle(options.Limits.MaxSendBufferBytes);
        var info = new ConnectionInfo(1, _bound.LocalEndPoint!, _peer) { Connection = handle };
        handle.Info = info;
        ConnectionDriver driver = engine.CreateDriver(new ServerConnection(info, new ConnectionClock(ServerTimeouts.Default, TimeProvider.System)));
        driver.Open();
        Assert.Empty(made); // Made for the client the header names, once it has.

        byte[] header = Encoding.ASCII.GetBytes("PROXY TCP4 192.0.2.7 192.0.2.8 56324 443\r\n");
        driver.Received(header.AsMemory(0, 10));
        Assert.Empty(made);
        Assert.Empty(above);
        driver.Received((byte[])[.. header.AsSpan(10), .. "hello"u8]);

        ConnectionInfo client = Assert.Single(made);
        Assert.Equal("192.0.2.7:56324", client.Remote);
        Assert.Same(client, handle.Info);
        Assert.Equal("hello"u8.ToArray(), above.ToArray());
        Assert.Equal("hello"u8.ToArray(), driver.Pending().ToArray()); // Echoed, straight to the socket: no layer changes outbound bytes.
        driver.Received("!"u8.ToArray());
        Assert.Equal("hello!"u8.ToArray(), above.ToArray());
    }

    /// <summary>Records what passes it on the way to the handler, and changes nothing.</summary>
    private sealed class RecordingLayer(List<byte> seen) : ByteLayer
    {
        public override void Receive(ReadOnlyMemory<byte> bytes)
        {
            seen.AddRange(bytes.Span);
            PassUp(bytes);
        }
    }

    private sealed class ReplyOnceHandler(byte[] reply) : IConnectionHandler
    {
        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            data = data.Slice(data.End);
            output.Write(reply);
            return NextStep.CloseAfterSending;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }

    private sealed class Engine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlers, ILogger logger)
        : ServerEngine(listener, options, handlers, logger)
    {
        protected override Task RunCoreAsync(CancellationToken stopping) => Task.CompletedTask;

        protected override void StopAccepting()
        {
        }
    }

    /// <summary>Every line the driver logs, at every level.</summary>
    private sealed class Lines : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Texts => _lines;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
