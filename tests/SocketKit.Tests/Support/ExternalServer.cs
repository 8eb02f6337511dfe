using System.ComponentModel;

namespace SocketKit.Tests.Support;

/// <summary>
/// A program the tests run in the foreground (HAProxy, nginx), ready once its port accepts a connection. Its whole
/// process tree is killed on dispose; its output is kept for failure messages.
/// </summary>
public sealed class ExternalServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalServer(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts <paramref name="program"/> and returns once <paramref name="ready"/> accepts a connection, within <paramref name="timeout"/>.</summary>
    public static async Task<ExternalServer> StartAsync(string program, IEnumerable<string> args, IPEndPoint ready, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Locate(program)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} cannot be started ({ex.Message}); ./scripts/test.sh installs it", ex);
        }
        var server = new ExternalServer(process);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"{program} exited with {process.ExitCode} before listening:\n{server.Output}");
            }
            try
            {
                using Socket probe = await RawClient.ConnectAsync(ready);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < timeout)
            {
                // Not listening yet: poll again shortly; the deadline bounds the wait.
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch (SocketException ex)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"{program} did not listen on {ready} within {timeout}: {ex.Message}\n{server.Output}");
            }
        }
    }

    /// <summary>Finds a program on PATH, then in the sbin folders where Debian puts daemons (a PATH without them is common).</summary>
    private static string Locate(string program)
    {
        string[] folders = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/sbin", "/sbin"];
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists) ?? program;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
