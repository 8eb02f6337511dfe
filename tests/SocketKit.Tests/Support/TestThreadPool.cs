using System.Runtime.CompilerServices;

namespace SocketKit.Tests.Support;

/// <summary>
/// Many tests wait on sockets synchronously (poll, receive) while servers under test in the same process run on the
/// thread pool. The pool adds threads only about once a second when they are all blocked, so a server's close or
/// answer could wait that long and a test measuring when a server acted would see it late. Enough threads from the
/// start keep the servers' timing the servers' own.
/// </summary>
internal static class TestThreadPool
{
    [ModuleInitializer]
    internal static void Widen()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
    }
}
