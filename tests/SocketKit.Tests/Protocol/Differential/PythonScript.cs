namespace SocketKit.Tests.Protocol.Differential;

/// <summary>Runs one of the Python scripts beside the tests (or the repository's), with stdin given and every wait bounded.</summary>
public static class PythonScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<string> RunAsync(string script, IEnumerable<string> args, string input = "")
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.ArgumentList.Add(script);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process python = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        try
        {
            Task<string> output = python.StandardOutput.ReadToEndAsync();
            Task<string> error = python.StandardError.ReadToEndAsync();
            await python.StandardInput.WriteAsync(input).WaitAsync(Timeout);
            python.StandardInput.Close();
            await python.WaitForExitAsync().WaitAsync(Timeout);
            if (python.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(script)} exited {python.ExitCode}: {await error}");
            }
            return await output;
        }
        finally
        {
            if (!python.HasExited) python.Kill(entireProcessTree: true);
        }
    }

    public static string BesideTests(string name) => Path.Combine(AppContext.BaseDirectory, "Protocol", "Differential", name);
}
