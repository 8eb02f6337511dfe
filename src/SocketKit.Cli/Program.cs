using System.Runtime.InteropServices;
using SocketKit.Cli;

// Ctrl+C and SIGTERM both ask for a clean stop: servers close their listener and connections, then exit 0.
using var stop = new CancellationTokenSource();
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
Console.OutputEncoding = System.Text.Encoding.UTF8;
return await SocketKitCli.RunAsync(args, Console.Out, Console.Error, stop.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
