using System.Net;
using System.Runtime.InteropServices;
using DotNetty.Transport.Bootstrapping;
using DotNetty.Transport.Channels;
using DotNetty.Transport.Channels.Sockets;

// dotnetty-echo HOST PORT: echoes every byte back on each connection, until SIGTERM.
if (args.Length != 2 || !IPAddress.TryParse(args[0], out IPAddress? host) || !int.TryParse(args[1], out int port))
{
    Console.Error.WriteLine("usage: DotNettyEcho HOST PORT");
    return 2;
}
var boss = new MultithreadEventLoopGroup(1);
var workers = new MultithreadEventLoopGroup();
try
{
    IChannel listener = await new ServerBootstrap()
        .Group(boss, workers)
        .Channel<TcpServerSocketChannel>()
        .Option(ChannelOption.SoBacklog, 4096)
        .ChildOption(ChannelOption.TcpNodelay, true)
        .ChildHandler(new ActionChannelInitializer<IChannel>(channel => channel.Pipeline.AddLast(EchoHandler.Instance)))
        .BindAsync(host, port);
    var stop = new TaskCompletionSource();
    using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    await stop.Task;
    await listener.CloseAsync();
}
finally
{
    TimeSpan quiet = TimeSpan.FromMilliseconds(100), bound = TimeSpan.FromSeconds(1);
    await Task.WhenAll(boss.ShutdownGracefullyAsync(quiet, bound), workers.ShutdownGracefullyAsync(quiet, bound));
}
return 0;

/// <summary>DotNetty's EchoServerHandler: writes back each buffer read, flushes once per read burst.</summary>
internal sealed class EchoHandler : ChannelHandlerAdapter
{
    public static readonly EchoHandler Instance = new();

    public override bool IsSharable => true;

    public override void ChannelRead(IChannelHandlerContext context, object message) => context.WriteAsync(message);

    public override void ChannelReadComplete(IChannelHandlerContext context) => context.Flush();

    public override void ExceptionCaught(IChannelHandlerContext context, Exception exception) => context.CloseAsync();
}
