namespace SocketKit.Transport.Tls;

public sealed partial class TlsPump
{
    /// <summary>
    /// The SslStream's side of the pump: reads wait for <see cref="Feed"/>, writes land in <see cref="Outgoing"/>.
    /// Only the async members are used (the pump never calls the SslStream's synchronous API).
    /// </summary>
    private sealed class Wire(TlsPump pump) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => pump.WireRead(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            pump.WireRead(buffer.AsMemory(offset, count)).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            pump.WireWrite(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            pump.WireWrite(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => pump.WireWrite(buffer.AsSpan(offset, count));

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("the pump's wire is read asynchronously only");

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
