namespace SocketKit.Tests.Applications;

/// <summary>samples/CustomAction run as its reader would: start it, then talk to it with socketkit.</summary>
[Tier(TestTier.Socket)]
public class SampleTests
{
    [Fact]
    public async Task TheCustomActionSampleServesItsNewActionBesideTheTutorialsOnes()
    {
        string sample = Samples.Dll("CustomAction");

        using var process = Process.Start(new ProcessStartInfo("dotnet", [sample, "0"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            var output = new WatchedWriter();
            _ = process.StandardOutput.BaseStream.CopyToAsync(new WriterStream(output));
            int port = int.Parse((await output.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+)", TimeSpan.FromSeconds(30))).Groups[1].Value);
            await output.WaitForAsync("^reverse stressed -> desserts$");

            Support.Cli.Result reverse = await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "reverse", "drawer", "--json-request", "-q");
            Assert.Equal("Got result: reward\n", reverse.Out);
            Support.Cli.Result search = await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "search", "ring", "-q");
            Assert.Equal("Got result: In the caves beneath the Misty Mountains. \U0001F48D\n", search.Out);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Feeds a child's stdout, as UTF-8, into a WatchedWriter.</summary>
    private sealed class WriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

        public override void Write(byte[] buffer, int offset, int count)
        {
            char[] chars = new char[count + 4];
            int n = _decoder.GetChars(buffer, offset, count, chars, 0);
            writer.Write(new string(chars, 0, n));
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
