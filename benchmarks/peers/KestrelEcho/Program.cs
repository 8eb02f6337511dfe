using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

// kestrel-echo HOST PORT: echoes every byte back on each connection, until SIGTERM.
if (args.Length != 2 || !IPAddress.TryParse(args[0], out IPAddress? host) || !int.TryParse(args[1], out int port))
{
    Console.Error.WriteLine("usage: KestrelEcho HOST PORT");
    return 2;
}
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxConcurrentConnections = null;
    kestrel.Listen(host, port, listen => listen.UseConnectionHandler<EchoHandler>());
});
await builder.Build().RunAsync();
return 0;

/// <summary>Copies what the transport's input pipe holds to its output pipe, one flush per read.</summary>
internal sealed class EchoHandler : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        while (true)
        {
            ReadResult read = await input.ReadAsync();
            ReadOnlySequence<byte> buffer = read.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                output.Write(segment.Span);
            }
            input.AdvanceTo(buffer.End);
            FlushResult flushed = await output.FlushAsync();
            if (read.IsCompleted || flushed.IsCompleted)
            {
                break;
            }
        }
    }
}
