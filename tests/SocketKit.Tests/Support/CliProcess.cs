using System.Runtime.InteropServices;

namespace SocketKit.Tests.Support;

/// <summary>The built socketkit program in a process of its own, so a test can send it a real signal.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;

    private CliProcess(string[] args, int? descriptorLimit = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The test project references the CLI project, so its build output sits beside the tests.
        // env (coreutils) gives SIGINT and SIGHUP their default handling, as a foreground job of a terminal has them: a
        // suite started in the background (nohup, `&` in a script) passes them on ignored, and the runtime, as a shell
        // would, leaves an inherited SIGINT ignored, so the tests that send them would wait for nothing.
        // prlimit (util-linux) starts it with both the soft and the hard descriptor limit lowered, as `ulimit -n` would.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--default-signal=INT,HUP");
        if (descriptorLimit is { } limit)
        {
            start.ArgumentList.Add("prlimit");
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
        }
        start.ArgumentList.Add("dotnet"); // env and prlimit each exec the next: the process's id stays the program's.
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SocketKit.Cli.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException("socketkit did not start");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Error.WriteLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Out.WriteLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public WatchedWriter Out { get; } = new();
    public WatchedWriter Error { get; } = new();
    public int Port { get; private set; }

    /// <summary>Starts any command line; the test waits for what it needs on <see cref="Out"/> or <see cref="Error"/>, or for the exit.</summary>
    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>As <see cref="Start(string[])"/>, with <paramref name="environment"/> added to the process's environment.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => new(args, environment: environment);

    public static Task<CliProcess> StartServerAsync(params string[] args) => StartServerAsync(null, args);

    /// <summary>Starts a server command (in a process whose descriptor limit is <paramref name="descriptorLimit"/>, when given) and waits until it listens.</summary>
    public static async Task<CliProcess> StartServerAsync(int? descriptorLimit, params string[] args)
    {
        var process = new CliProcess(args, descriptorLimit);
        try
        {
            var listening = await process.Error.WaitForAsync(@"Listening on 127\.0\.0\.1:(\d+)", TimeSpan.FromSeconds(30));
            process.Port = int.Parse(listening.Groups[1].Value);
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process's id, to read what /proc says of it.</summary>
    public int Id => _process.Id;

    public void Terminate() => Signal(SigTerm);

    /// <summary>What Ctrl+C sends.</summary>
    public void Interrupt() => Signal(SigInt);

    /// <summary>Sends <paramref name="signal"/> (its Linux number) to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    public const int SigInt = 2;
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
