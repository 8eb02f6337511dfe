namespace SocketKit.Tests.Support;

/// <summary>Runs another program (ss, tshark, python3) with every wait bounded.</summary>
public static class ExternalProgram
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(bound.Token);
            // The output ends when every process holding the pipes has closed them: bounded too.
            return (process.ExitCode, await output.WaitAsync(bound.Token), await error.WaitAsync(bound.Token));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish, or left its output open, in time");
        }
    }
}
