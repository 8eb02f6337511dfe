using Microsoft.Extensions.Time.Testing;
using SocketKit.Cli.CommandHost;

namespace SocketKit.Tests.Cli;

/// <summary>
/// The command line's log lines: content lines wait and go out together, no later than the bound; every other line goes
/// out at once after them; lines from two threads at once stay whole and in each thread's order; the bytes on standard
/// error are those the console's writer would have written.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class LogLineBufferTests
{
    [Fact]
    public void TwoLoopsLoggingAtOnceWriteEveryLineWholeAndInTheirOrder()
    {
        const int Lines = 20_000;
        var stream = new RecordingStream();
        var buffer = new LogLineBuffer(new StringWriter(), stream, new Lock(), TimeProvider.System);
        using var start = new Barrier(2);
        Thread[] loops = [.. new[] { 'a', 'b' }.Select(name => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < Lines; i++)
            {
                // Mostly content lines, now and then a line written at once, as a server's accept and close lines come.
                string line = $"Received request {{\"value\": \"{new string(name, 1 + (i % 300))}\"}} on connection {name}{i}";
                if (i % 97 == 0) buffer.WriteLine(line); else buffer.WriteLineLater(line);
            }
        }))];
        foreach (Thread loop in loops) loop.Start();
        foreach (Thread loop in loops) loop.Join();
        buffer.Flush();

        string[] written = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.Equal("", written[^1]);
        Assert.Equal(2 * Lines, written.Length - 1);
        foreach (char name in "ab")
        {
            string[] own = [.. written.Where(l => l.Contains($" on connection {name}", StringComparison.Ordinal))];
            Assert.Equal(Lines, own.Length);
            for (int i = 0; i < Lines; i++)
            {
                Assert.Equal($"Received request {{\"value\": \"{new string(name, 1 + (i % 300))}\"}} on connection {name}{i}", own[i]);
            }
        }
        Assert.True(stream.Writes < Lines, $"{stream.Writes} writes for {2 * Lines} lines");
    }

    [Fact]
    public void AContentLineWaitsAtMostTheBoundAndALineWrittenAtOnceTakesItAlong()
    {
        var time = new FakeTimeProvider();
        var error = new StringWriter();
        var buffer = new LogLineBuffer(error, null, new Lock(), time);

        buffer.WriteLineLater("Received request {\"action\": \"search\"} on connection 1");
        buffer.WriteLineLater("Sending response {\"result\": \"x\"} on connection 1");
        Assert.Equal("", error.ToString());
        time.Advance(LogLineBuffer.MaxDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal("", error.ToString());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("Received request {\"action\": \"search\"} on connection 1\nSending response {\"result\": \"x\"} on connection 1\n", error.ToString());

        int before = error.ToString().Length;
        buffer.WriteLineLater("Received request {} on connection 2");
        buffer.WriteLine("Closing connection 2 to 127.0.0.1:5 (the client closed it)");
        Assert.Equal("Received request {} on connection 2\nClosing connection 2 to 127.0.0.1:5 (the client closed it)\n", error.ToString()[before..]);
    }

    [Fact]
    public void ContentLinesOverTheSizeBoundAreWrittenWithoutWaitingForTheClock()
    {
        var time = new FakeTimeProvider();
        var stream = new RecordingStream();
        var buffer = new LogLineBuffer(new StringWriter(), stream, new Lock(), time);
        string line = new('x', 1000);
        int lines = 0;
        while (stream.Writes == 0)
        {
            buffer.WriteLineLater(line);
            lines++;
        }
        Assert.Equal((LogLineBuffer.MaxPendingChars + line.Length) / (line.Length + 1), lines);
        Assert.Equal(lines * (line.Length + 1), stream.ToArray().Length);
    }

    [Fact]
    public void TheBytesWrittenToTheDescriptorAreThoseTheConsolesWriterWrites()
    {
        // Console.Error writes UTF-8 without a preamble, a lone surrogate as U+FFFD; the descriptor gets the same bytes.
        string[] lines = ["Received request {\"value\": \"caf\u00e9 \U0001F600\"} on connection 1", "Sending response text/plain b'\\xff' on connection 1", "lone \ud800 surrogate"];
        var console = new MemoryStream();
        using (var writer = new StreamWriter(console, new UTF8Encoding(false), 256, leaveOpen: true) { AutoFlush = true })
        {
            foreach (string line in lines) writer.WriteLine(line);
        }
        var stream = new RecordingStream();
        var buffer = new LogLineBuffer(new StringWriter(), stream, new Lock(), new FakeTimeProvider());
        buffer.WriteLineLater(lines[0]);
        buffer.WriteLineLater(lines[1]);
        buffer.WriteLine(lines[2]);
        Assert.Equal(console.ToArray(), stream.ToArray());
        Assert.Equal(1, stream.Writes);
    }

    /// <summary>A stream that keeps what is written and counts the writes (each would be one write(2)).</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            base.Write(buffer, offset, count);
        }
    }
}
