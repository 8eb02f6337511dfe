using System.Collections.Concurrent;

namespace SocketKit.Tests.Support;

/// <summary>
/// An application server on 127.0.0.1 port 0 that answers as the tutorial's does and keeps every request it
/// decoded with its raw bytes, so a test sees exactly what a client sent (header keys the decoder does not read included).
/// </summary>
public sealed class RecordingAppServer : IAsyncDisposable
{
    private readonly SocketServer _server;
    private int _accepted;

    public RecordingAppServer()
    {
        _server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ =>
        {
            Interlocked.Increment(ref _accepted);
            return new Handler(this);
        });
    }

    public int Port => _server.Port();

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Every request in arrival order, with the bytes it came in.</summary>
    public ConcurrentQueue<(Message Request, byte[] Raw)> Requests { get; } = new();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class Handler(RecordingAppServer owner) : IConnectionHandler
    {
        private readonly MessageDecoder _decoder = new(new ProtocolLimits { MaxContentBytes = 64 * 1024 * 1024 });
        private readonly ArrayBufferWriter<byte> _raw = new();

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            ReadOnlySequence<byte> before = data;
            bool whole = _decoder.TryDecode(ref data, out Message request);
            foreach (ReadOnlyMemory<byte> segment in before.Slice(0, before.Length - data.Length))
            {
                _raw.Write(segment.Span); // The decoder takes a message in steps: its bytes are kept across calls.
            }
            if (!whole)
            {
                return NextStep.Receive;
            }
            owner.Requests.Enqueue((request, _raw.WrittenSpan.ToArray()));
            _raw.ResetWrittenCount();
            AppResponse answer = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request);
            output.Write(MessageEncoder.Encode(new MessageHeader(answer.ContentType, answer.ContentEncoding, answer.Content.Length) { KeepAlive = request.Header.KeepAlive }, answer.Content.Span));
            return request.Header.KeepAlive ? NextStep.Receive : NextStep.CloseAfterSending;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }
}
