namespace SocketKit.Tests.Support;

/// <summary>socketkit with raw standard streams: input written and closed, output read whole, standard error as text.</summary>
public sealed class RawCliProcess : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly WatchedWriter _error = new();
    private Task<byte[]>? _output;

    private RawCliProcess(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SocketKit.Cli.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("socketkit did not start");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _error.WriteLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    public string Error => _error.ToString();

    public static RawCliProcess Start(string[] args) => new(args);

    public async Task<int> ListeningPortAsync() =>
        int.Parse((await _error.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+)", Bound)).Groups[1].Value);

    public async Task WriteAllAndCloseAsync(byte[] bytes)
    {
        Stream input = _process.StandardInput.BaseStream;
        await input.WriteAsync(bytes).AsTask().WaitAsync(Bound);
        input.Close();
    }

    public Task<byte[]> ReadAllAsync() => _output ??= Task.Run(async () =>
    {
        using var all = new MemoryStream();
        await _process.StandardOutput.BaseStream.CopyToAsync(all);
        return all.ToArray();
    }).WaitAsync(Bound);

    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);
        _process.WaitForExit(); // Standard error read to its end.
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
