namespace SocketKit.Tests.Support;

/// <summary>Runs Interop/peer.py, a Python program written from PROTOCOL.md, with every wait bounded.</summary>
public sealed class PythonPeer : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    private PythonPeer(params string[] args)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", "peer.py"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
    }

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var peer = new PythonPeer(args);
        return await peer.WaitAsync();
    }

    /// <summary>Starts a Python server on a free port and returns once it has said which.</summary>
    public static async Task<(PythonPeer Peer, int Port)> StartServerAsync(string mode, int connections = 1)
    {
        var peer = new PythonPeer(mode, "127.0.0.1", "0", connections.ToString());
        string? line = await peer._process.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            string error = await peer._process.StandardError.ReadToEndAsync().WaitAsync(Timeout);
            peer.Dispose();
            throw new InvalidOperationException($"the Python {mode} did not start: {line} {error}");
        }
        return (peer, int.Parse(line["listening ".Length..]));
    }

    public async Task<(int ExitCode, string Out, string Error)> WaitAsync()
    {
        Task<string> output = _process.StandardOutput.ReadToEndAsync();
        Task<string> error = _process.StandardError.ReadToEndAsync();
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return (_process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
