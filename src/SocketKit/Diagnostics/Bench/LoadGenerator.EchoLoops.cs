using System.Diagnostics;
using SocketKit.Transport.Engines;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Readiness;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>
    /// The plain echo load on readiness loops, one per core, as a server's: each loop a thread with its own selector,
    /// its connections spread among the loops, one receive buffer per loop, the message built once and sent as it is,
    /// so a message costs two system calls and no allocation, and the load generator is not what saturates first.
    /// A connection that fails, that the server closes, or whose message is not back within the timeout, is counted and
    /// connected again, without waiting (as the task-per-connection load does). In an open loop each loop keeps its idle
    /// connections in order of their next due time and wakes for the first, as the task-per-connection load's pacer does.
    /// </summary>
    private static class EchoLoops
    {
        private const int ReceiveSize = 64 * 1024;

        /// <summary>Whether this load runs on the loops: plain echo, unpaced (TLS and paced loads run a task per connection).</summary>
        public static bool Serve(BenchOptions options) => options.Kind == BenchKind.Echo && options.Tls is null && options.Interval == TimeSpan.Zero;

        public static Task[] Start(Run run)
        {
            int loops = Math.Min(Environment.ProcessorCount, run.Options.Connections);
            var tasks = new Task[loops];
            for (int i = 0; i < loops; i++)
            {
                int share = (run.Options.Connections / loops) + (i < run.Options.Connections % loops ? 1 : 0);
                tasks[i] = DedicatedThread.Run($"socketkit-bench-{i}", () => RunLoop(run, share));
            }
            return tasks;
        }

        private sealed class Echo(Socket socket, Pacer? pacer)
        {
            public Socket Socket { get; set; } = socket;
            /// <summary>A new connection is being made in its place (writable once it is done).</summary>
            public bool Connecting { get; set; }
            /// <summary>Its last connect failed: it connects again when it comes due.</summary>
            public bool Retry { get; set; }
            public Pacer? Pacer { get; } = pacer;
            public long Due { get; set; }
            public long StartedAt { get; set; }
            public bool InFlight { get; set; }
            public bool Dropped { get; set; }
            public SelectorKey<Echo>? Key { get; set; }
            public Stats? Stats { get; set; }
            public long SentAt { get; set; }
            public int Sent { get; set; }
            public int Received { get; set; }
            public bool Same { get; set; } = true;
        }

        private static void RunLoop(Run run, int connections)
        {
            byte[] payload = run.EchoPayload;
            byte[] buffer = GC.AllocateUninitializedArray<byte>(ReceiveSize);
            using var selector = new Selector<Echo>();
            var open = new List<Echo>(connections);
            var waiting = new PriorityQueue<Echo, long>();
            long timeoutTicks = Ticks(run.Options.Timeout);
            long nextScan = 0;
            try
            {
                for (int i = 0; i < connections; i++)
                {
                    if (Connect(run) is not { } socket)
                    {
                        return; // The run ended before this one could connect.
                    }
                    open.Add(new Echo(socket, run.NewPacer()));
                }
                run.GateAsync().GetAwaiter().GetResult();
                foreach (Echo echo in open)
                {
                    echo.Key = selector.Register(echo.Socket, SelectorEvents.Read, echo);
                    Next(selector, echo, run, waiting);
                }
                while ((selector.Count > 0 || waiting.Count > 0) && !run.Token.IsCancellationRequested)
                {
                    // Woken at least every 100 ms to see the run's end and the timeouts, when answers stop coming.
                    long now = Stopwatch.GetTimestamp();
                    TimeSpan wait = TimeSpan.FromMilliseconds(100);
                    if (waiting.TryPeek(out _, out long due))
                    {
                        wait = TimeSpan.FromSeconds(Math.Clamp((double)(due - now) / Stopwatch.Frequency, 0, 0.1));
                    }
                    foreach ((SelectorKey<Echo> key, SelectorEvents mask) in selector.Select(wait))
                    {
                        Service(selector, key, mask, payload, buffer, run, waiting);
                    }
                    now = Stopwatch.GetTimestamp();
                    while (waiting.TryPeek(out Echo? echo, out due) && due <= now)
                    {
                        waiting.Dequeue();
                        if (echo.Retry)
                        {
                            echo.Retry = false;
                            Reconnect(selector, echo, run, waiting);
                            continue;
                        }
                        Begin(selector, echo, run, waiting, due, now); // Idle until due: the latency counts from the send.
                    }
                    if (now >= nextScan)
                    {
                        nextScan = now + Ticks(TimeSpan.FromMilliseconds(100));
                        foreach (Echo echo in open)
                        {
                            if (echo.InFlight && !echo.Dropped && now - echo.StartedAt > timeoutTicks)
                            {
                                echo.Stats?.Error(BenchErrors.TimedOut);
                                Reconnect(selector, echo, run, waiting);
                            }
                            else if (echo.Connecting && now - echo.StartedAt > Ticks(ConnectTimeout))
                            {
                                run.ConnectError(BenchErrors.TimedOut);
                                Reconnect(selector, echo, run, waiting);
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
            {
            }
            finally
            {
                foreach (Echo echo in open)
                {
                    echo.Socket.Dispose();
                }
            }
        }

        /// <summary>
        /// Connects without .NET's asynchronous socket engine: a socket it has once driven stays registered with its own
        /// epoll thread, whose wake-ups for every message would keep thread-pool workers spinning beside the loops.
        /// Failures are counted and retried, as the task-per-connection load does; null once the run has ended.
        /// </summary>
        private static Socket? Connect(Run run)
        {
            while (!run.Token.IsCancellationRequested && Stopwatch.GetTimestamp() < run.StopTimestamp)
            {
                Socket socket = Listeners.CreateStreamSocket(run.Options.EndPoint);
                try
                {
                    Listeners.SetNoDelay(socket);
                    socket.Blocking = false;
                    try
                    {
                        socket.Connect(run.Options.EndPoint);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                    {
                        // Finished when writable; its outcome is the socket's pending error.
                        if (!socket.Poll(ConnectTimeout, SelectMode.SelectWrite))
                        {
                            throw new SocketException((int)SocketError.TimedOut);
                        }
                        var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                        if (error != SocketError.Success)
                        {
                            throw new SocketException((int)error);
                        }
                    }
                    run.Connected();
                    return socket;
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    run.ConnectError(KindOf(ex));
                    run.Token.WaitHandle.WaitOne(RetryPause);
                }
            }
            return null;
        }

        private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

        private static void Service(Selector<Echo> selector, SelectorKey<Echo> key, SelectorEvents mask, byte[] payload, byte[] buffer, Run run, PriorityQueue<Echo, long> waiting)
        {
            Echo echo = key.Data;
            if (echo.Connecting)
            {
                Connected(selector, echo, run, waiting);
                return;
            }
            try
            {
                if ((mask & SelectorEvents.Write) != 0)
                {
                    Send(selector, echo, payload);
                }
                if ((mask & SelectorEvents.Read) != 0)
                {
                    int n = echo.Socket.Receive(buffer, 0, Math.Min(buffer.Length, payload.Length - echo.Received), SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock)
                    {
                        return;
                    }
                    if (error != SocketError.Success)
                    {
                        throw new SocketException((int)error);
                    }
                    if (n == 0)
                    {
                        echo.Stats?.Error(BenchErrors.Closed);
                        Reconnect(selector, echo, run, waiting);
                        return;
                    }
                    if (run.Options.Verify && !buffer.AsSpan(0, n).SequenceEqual(payload.AsSpan(echo.Received, n)))
                    {
                        echo.Same = false;
                    }
                    echo.Received += n;
                    if (echo.Received == payload.Length && echo.Sent == payload.Length)
                    {
                        echo.InFlight = false;
                        echo.Stats!.Answered(echo.SentAt, payload.Length, echo.Received, echo.Same ? null : BenchErrors.WrongBytes);
                        Next(selector, echo, run, waiting);
                    }
                }
            }
            catch (SocketException ex)
            {
                echo.Stats?.Error(KindOf(ex));
                Reconnect(selector, echo, run, waiting);
            }
        }

        /// <summary>
        /// Replaces a connection that failed or that the server closed with a new one, connecting without waiting: the
        /// socket is watched for writability, which says the connect is done (<see cref="Connected"/>). A connect that
        /// fails at once is counted and tried again after a pause, as the task-per-connection load does; none once the
        /// run has ended.
        /// </summary>
        private static void Reconnect(Selector<Echo> selector, Echo echo, Run run, PriorityQueue<Echo, long> waiting)
        {
            Drop(selector, echo);
            echo.Socket.Dispose();
            echo.Connecting = false;
            if (run.Token.IsCancellationRequested || Stopwatch.GetTimestamp() >= run.StopTimestamp)
            {
                return;
            }
            Socket socket = Listeners.CreateStreamSocket(run.Options.EndPoint);
            echo.Socket = socket;
            echo.StartedAt = Stopwatch.GetTimestamp();
            try
            {
                Listeners.SetNoDelay(socket);
                socket.Blocking = false;
                try
                {
                    socket.Connect(run.Options.EndPoint);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                }
            }
            catch (SocketException ex)
            {
                run.ConnectError(KindOf(ex));
                echo.Retry = true;
                waiting.Enqueue(echo, Stopwatch.GetTimestamp() + Ticks(RetryPause));
                return;
            }
            echo.Connecting = true;
            echo.Dropped = false;
            echo.Key = selector.Register(socket, SelectorEvents.Write, echo);
        }

        /// <summary>A new connection's connect is done: with its pending error a failure (connected again), or the next message starts.</summary>
        private static void Connected(Selector<Echo> selector, Echo echo, Run run, PriorityQueue<Echo, long> waiting)
        {
            var error = (SocketError)(int)echo.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
            {
                run.ConnectError(KindOf(new SocketException((int)error)));
                Drop(selector, echo);
                echo.Connecting = false;
                echo.Retry = true;
                waiting.Enqueue(echo, Stopwatch.GetTimestamp() + Ticks(RetryPause));
                return;
            }
            echo.Connecting = false;
            selector.Modify(echo.Key!, SelectorEvents.Read);
            Next(selector, echo, run, waiting);
        }

        /// <summary>
        /// Starts the next message now, or in an open loop queues the connection until the message is due; the
        /// connection is dropped once the run is spent.
        /// </summary>
        private static void Next(Selector<Echo> selector, Echo echo, Run run, PriorityQueue<Echo, long> waiting)
        {
            if (echo.Pacer is null)
            {
                Begin(selector, echo, run, waiting, null, null);
                return;
            }
            long due = echo.Pacer.Next();
            if (due >= run.StopTimestamp)
            {
                Drop(selector, echo);
            }
            else if (due > Stopwatch.GetTimestamp())
            {
                waiting.Enqueue(echo, due);
            }
            else
            {
                Begin(selector, echo, run, waiting, due, due); // Overdue: the latency counts from when it was due.
            }
        }

        /// <summary>Claims a message and starts sending it; its latency counts from <paramref name="from"/> in an open loop.</summary>
        private static void Begin(Selector<Echo> selector, Echo echo, Run run, PriorityQueue<Echo, long> waiting, long? due, long? from)
        {
            if (echo.Dropped || echo.Connecting || echo.InFlight)
            {
                return; // Due while its connection is being made again: the next one is scheduled once it is connected.
            }
            if (run.Claim(due) is not { } stats)
            {
                Drop(selector, echo);
                return;
            }
            echo.Stats = stats;
            echo.StartedAt = Stopwatch.GetTimestamp();
            echo.SentAt = from ?? echo.StartedAt;
            echo.InFlight = true;
            echo.Sent = echo.Received = 0;
            echo.Same = true;
            try
            {
                Send(selector, echo, run.EchoPayload);
            }
            catch (SocketException ex)
            {
                stats.Error(KindOf(ex));
                Reconnect(selector, echo, run, waiting);
            }
        }

        /// <summary>Sends what the socket takes; waits for "writable" only while part of the message is left.</summary>
        private static void Send(Selector<Echo> selector, Echo echo, byte[] payload)
        {
            if (echo.Sent < payload.Length)
            {
                int n = echo.Socket.Send(payload.AsSpan(echo.Sent), SocketFlags.None, out SocketError error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    throw new SocketException((int)error);
                }
                echo.Sent += n;
            }
            selector.Modify(echo.Key!, echo.Sent < payload.Length ? SelectorEvents.Read | SelectorEvents.Write : SelectorEvents.Read);
        }

        private static void Drop(Selector<Echo> selector, Echo echo)
        {
            if (!echo.Dropped)
            {
                echo.Dropped = true;
                echo.InFlight = false;
                selector.Unregister(echo.Socket);
            }
        }
    }
}
