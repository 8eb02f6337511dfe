using SocketKit.Protocol;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>Reads whole responses off one connection, and with verification keeps each one's exact bytes.</summary>
    private sealed class ResponseReader(bool verify)
    {
        private readonly ArrayBufferWriter<byte>? _raw = verify ? new ArrayBufferWriter<byte>(256) : null;
        private MessageDecoder _decoder = new();
        private byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public void Reset()
        {
            _decoder = new MessageDecoder();
            _start = _end = 0;
            _raw?.ResetWrittenCount();
        }

        /// <summary>Returns the bytes received while reading, and what was wrong with the response (null if right or not verified).</summary>
        public async ValueTask<(int Received, string? Wrong)> ReadAsync(BenchConnection socket, Run run, CancellationToken cancellationToken)
        {
            int received = 0;
            while (true)
            {
                if (_end > _start)
                {
                    var data = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                    bool whole = _decoder.TryDecode(ref data, out Message response);
                    int consumed = _end - _start - (int)data.Length;
                    _raw?.Write(_buffer.AsSpan(_start, consumed));
                    _start += consumed;
                    if (whole)
                    {
                        string? wrong = null;
                        if (_raw is not null)
                        {
                            byte[] expected = response.Header.KeepAlive ? run.ExpectedKeepAlive : run.ExpectedOneShot;
                            wrong = _raw.WrittenSpan.SequenceEqual(expected) ? null : "wrong bytes";
                            _raw.ResetWrittenCount();
                        }
                        return (received, wrong);
                    }
                }
                if (_start == _end)
                {
                    _start = _end = 0;
                }
                else if (_end == _buffer.Length)
                {
                    if (_start > 0)
                    {
                        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                        _end -= _start;
                        _start = 0;
                    }
                    else
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }
                }
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
                if (n == 0)
                {
                    throw new BenchFailure("closed early");
                }
                _end += n;
                received += n;
            }
        }
    }
}
