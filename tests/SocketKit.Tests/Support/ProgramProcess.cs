using System.Runtime.InteropServices;

namespace SocketKit.Tests.Support;

/// <summary>
/// A program of the repository's (a sample, a template's output) or any command, in a process of its own with its
/// environment and working folder, its output watched, and a real SIGTERM to stop it.
/// </summary>
public sealed class ProgramProcess : IDisposable
{
    private readonly Process _process;

    /// <param name="input">Whether the test writes the program's standard input (<see cref="Input"/>); otherwise it inherits the tests'.</param>
    public ProgramProcess(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool input = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = input,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Error.WriteLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Out.WriteLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Runs a built .dll of the repository with `dotnet`, from its own folder (where its appsettings.json is).</summary>
    public static ProgramProcess StartDll(string dll, IReadOnlyDictionary<string, string>? environment = null, params string[] args) =>
        new("dotnet", [dll, .. args], environment, Path.GetDirectoryName(dll));

    /// <summary>The program's standard input, when started with input: close it to end the program's input.</summary>
    public StreamWriter Input => _process.StandardInput;

    public WatchedWriter Out { get; } = new();
    public WatchedWriter Error { get; } = new();
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The process's own children (Linux), for a program that starts the one to signal (unshare).</summary>
    public int[] ChildIds =>
        [.. File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];

    public void Terminate() => Terminate(_process.Id);

    public static void Terminate(int pid)
    {
        if (Kill(pid, SigTerm) != 0) throw new InvalidOperationException($"kill {pid} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the program did not exit within {timeout}; its output:\n{Out}\n{Error}");
        }
        _process.WaitForExit(); // lets the output readers finish
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
