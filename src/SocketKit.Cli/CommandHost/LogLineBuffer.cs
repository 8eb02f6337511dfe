namespace SocketKit.Cli.CommandHost;

/// <summary>
/// Where the command line's plain log lines go. Most are written at once, each with one write. A server's content
/// lines (two a request) wait instead and go out together in one write, as nginx's <c>access_log buffer= flush=</c>
/// does: when a line that is not content comes (it follows them in the same write), when <see cref="MaxPendingChars"/>
/// are waiting, or at most <see cref="MaxDelay"/> after the first of them. Writing each line with its own system call
/// cost as much CPU as serving the request did. Lines are appended whole under a lock and written in the order they
/// came, so two readiness loops logging at once never interleave within a line.
/// </summary>
/// <remarks>
/// On the process's standard error the lines are encoded here (UTF-8, as <see cref="Console.Error"/> encodes them) and
/// written to the descriptor: <see cref="Console.Error"/>'s writer would cut a batch into 256-character writes.
/// </remarks>
internal sealed class LogLineBuffer
{
    /// <summary>The longest a content line waits to be written: 20 ms.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>How many characters of content lines may wait before they are written: 32 Ki.</summary>
    public const int MaxPendingChars = 32 * 1024;

    private readonly TextWriter _writer;
    private readonly Stream? _stream;
    private readonly Lock _writeGate;
    private readonly Lock _pendingGate = new();
    private readonly ITimer _timer;
    private readonly string _newLine;
    private char[] _pending = new char[1024];
    private int _length;
    private char[] _spare = new char[1024];
    private byte[] _bytes = [];

    /// <param name="writer">Where lines go when <paramref name="stream"/> is null (tests: a StringWriter).</param>
    /// <param name="stream">The process's standard error, written as UTF-8 bytes; null to write to <paramref name="writer"/>.</param>
    /// <param name="writeGate">Held while anything is written to standard error, so other writers' lines stay whole too.</param>
    /// <param name="time">The clock of <see cref="MaxDelay"/>.</param>
    public LogLineBuffer(TextWriter writer, Stream? stream, Lock writeGate, TimeProvider time)
    {
        _writer = writer;
        _stream = stream;
        _writeGate = writeGate;
        _newLine = writer.NewLine;
        _timer = time.CreateTimer(static self => ((LogLineBuffer)self!).FlushOnTime(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    // On a pool thread, where an exception would end the process: a writer gone (a test's, after its command) loses the lines.
    private void FlushOnTime()
    {
        try
        {
            Flush();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Writes a line now, after any that wait.</summary>
    public void WriteLine(string line)
    {
        lock (_writeGate)
        {
            char[] batch;
            int length;
            lock (_pendingGate)
            {
                Append(line);
                (batch, length) = Take();
            }
            Write(batch, length);
        }
    }

    /// <summary>Lets a line wait to be written with others, at most <see cref="MaxDelay"/>.</summary>
    public void WriteLineLater(string line)
    {
        bool full;
        lock (_pendingGate)
        {
            if (_length == 0)
            {
                _timer.Change(MaxDelay, Timeout.InfiniteTimeSpan);
            }
            Append(line);
            full = _length >= MaxPendingChars;
        }
        if (full)
        {
            Flush();
        }
    }

    /// <summary>Writes the lines that wait. The caller may hold the write gate (it is re-entrant).</summary>
    public void Flush()
    {
        lock (_writeGate)
        {
            char[] batch;
            int length;
            lock (_pendingGate)
            {
                (batch, length) = Take();
            }
            Write(batch, length);
        }
    }

    private void Append(string line)
    {
        int needed = _length + line.Length + _newLine.Length;
        if (needed > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(needed, _pending.Length * 2));
        }
        line.CopyTo(0, _pending, _length, line.Length);
        _newLine.CopyTo(0, _pending, _length + line.Length, _newLine.Length);
        _length = needed;
    }

    // Under both gates: hands the waiting characters to the writer and gives the appenders the spare array.
    private (char[] Batch, int Length) Take()
    {
        (char[] batch, int length) = (_pending, _length);
        (_pending, _spare, _length) = (_spare, _pending, 0);
        return (batch, length);
    }

    // Under the write gate only: appenders go on into the other array meanwhile.
    private void Write(char[] batch, int length)
    {
        if (length == 0)
        {
            return;
        }
        if (_stream is null)
        {
            _writer.Write(batch, 0, length);
            _writer.Flush();
            return;
        }
        int most = Encoding.UTF8.GetMaxByteCount(length);
        if (_bytes.Length < most)
        {
            _bytes = new byte[Math.Max(most, _bytes.Length * 2)];
        }
        int count = Encoding.UTF8.GetBytes(batch, 0, length, _bytes, 0);
        try
        {
            _stream.Write(_bytes, 0, count);
        }
        catch (IOException)
        {
            // Standard error closed (a pipe's reader gone): the lines are lost, as Console.Error loses them.
        }
    }
}
