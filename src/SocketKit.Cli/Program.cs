using System.Runtime.InteropServices;
using SocketKit.Cli;

// Ctrl+C and SIGTERM both ask for a clean stop: servers close their listener and connections, then exit 0; a client
// stops where it is and exits 128 + the signal's number, as a shell reports a command the signal ended.
using var stop = new CancellationTokenSource();
PosixSignal? received = null;
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
Console.OutputEncoding = System.Text.Encoding.UTF8;
// A failure outside any command's handling (a background task's, say) is still one line and exit 70, not the
// runtime's stack trace and abort; -v keeps the trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"socketkit: unexpected error: {(e.ExceptionObject as Exception)?.Message.TrimEnd('.')}. Run with -v for the details, and please report it.");
    if (args.Contains("-v") || args.Contains("--verbose"))
    {
        Console.Error.WriteLine(e.ExceptionObject);
    }
    Environment.Exit(ExitCodes.Software);
};
int code = await SocketKitCli.RunAsync(args, Console.Out, Console.Error, stop.Token);
return code == ExitCodes.Interrupted && received == PosixSignal.SIGTERM ? ExitCodes.Terminated : code;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    received ??= context.Signal;
    stop.Cancel();
}
