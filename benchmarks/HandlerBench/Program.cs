using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocketKit.Applications.App;
using SocketKit.Transport;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Engines;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Readiness;

// Load programs for the handler models, measured by benchmarks/handlers.sh:
//   await-server PORT DELAY_MS   the tutorial's app server whose "search" awaits DELAY_MS before answering (as a
//                                database round trip would), on the default engine, until SIGTERM
//   broadcast-server PORT        a server that broadcasts one 64-byte line to every client for each byte it receives
//   broadcast-clients PORT CLIENTS ROUNDS
//                                CLIENTS connections to it (a process of their own: both sides of 10,000 connections
//                                would pass one process's descriptor limit); each round asks for one broadcast and
//                                times it until every client has the whole line
return args switch
{
    ["await-server", var port, var delay] => await AwaitServerAsync(int.Parse(port), int.Parse(delay)),
    ["broadcast-server", var port] => await BroadcastServerAsync(int.Parse(port)),
    ["broadcast-clients", var port, var clients, var rounds] => BroadcastClients(int.Parse(port), int.Parse(clients), int.Parse(rounds)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: HandlerBench await-server PORT DELAY_MS | broadcast-server PORT | broadcast-clients PORT CLIENTS ROUNDS");
    return 2;
}

static async Task<int> AwaitServerAsync(int port, int delayMs)
{
    TimeSpan delay = TimeSpan.FromMilliseconds(delayMs);
    // ENGINE=blocking|select (default select) and LOOPS=N compare the engines' owners: a loop, or a gate.
    EngineKind engine = Enum.TryParse(Environment.GetEnvironmentVariable("ENGINE"), ignoreCase: true, out EngineKind e) ? e : EngineKind.Select;
    await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port), Engine = engine, Loops = int.TryParse(Environment.GetEnvironmentVariable("LOOPS"), out int loops) ? loops : null, Limits = new ServerLimits { MaxConnections = 15_000 } })
        .MapAction("search", async (request, cancel) =>
        {
            await Task.Delay(delay, cancel);
            return TutorialHandlers.Search(request);
        })
        .Start();
    Console.WriteLine($"listening on {EndPoints.Format(server.LocalEndPoint)}, search awaits {delayMs} ms");
    await UntilSigtermAsync();
    return 0;
}

static async Task<int> BroadcastServerAsync(int port)
{
    byte[] line = new byte[64];
    line.AsSpan().Fill((byte)'x');
    line[^1] = (byte)'\n';
    ConnectionRegistry? registry = null;
    var options = new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port), Limits = new ServerLimits { MaxConnections = 15_000 } };
    await using SocketServer server = SocketServer.Start(options, _ => new TriggerHandler(() => registry!.Broadcast(line)));
    registry = server.Connections;
    Console.WriteLine($"listening on {EndPoints.Format(server.LocalEndPoint)}: each byte a client sends broadcasts a 64-byte line to every client");
    await UntilSigtermAsync();
    return 0;
}

/// <summary>Serves on until SIGTERM (the benchmark scripts' way to stop a server).</summary>
static async Task UntilSigtermAsync()
{
    using var stop = new CancellationTokenSource();
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
    {
        c.Cancel = true;
        stop.Cancel();
    });
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

static int BroadcastClients(int port, int clients, int rounds)
{
    var endPoint = new IPEndPoint(IPAddress.Loopback, port);
    var sockets = new List<Socket>(clients);
    for (int i = 0; i < clients; i++)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(endPoint);
        s.Blocking = false;
        sockets.Add(s);
    }
    Thread.Sleep(1000); // Let the server accept the last of them before the first broadcast.
    using var selector = new Selector<int>();
    for (int i = 0; i < clients; i++) selector.Register(sockets[i], SelectorEvents.Read, i);
    int[] got = new int[clients];
    byte[] buffer = new byte[4096];
    var times = new List<double>();
    for (int round = 1; round <= rounds; round++)
    {
        Array.Clear(got);
        int complete = 0;
        long started = Stopwatch.GetTimestamp();
        sockets[0].Send("!"u8);
        while (complete < clients)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30)) throw new TimeoutException($"{complete} of {clients} clients had the line after 30 s");
            foreach ((SelectorKey<int> key, SelectorEvents _) in selector.Select(TimeSpan.FromSeconds(1)))
            {
                int n = key.Socket.Receive(buffer, SocketFlags.None, out SocketError error);
                if (error != SocketError.Success || n <= 0) continue;
                got[key.Data] += n;
                if (got[key.Data] == 64) complete++;
            }
        }
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        times.Add(ms);
        Console.WriteLine($"round {round}: all {clients} clients had the 64-byte line {ms:F1} ms after the request to broadcast");
        Thread.Sleep(200);
    }
    times.Sort();
    Console.WriteLine($"RESULT clients={clients} rounds={rounds} median_ms={times[times.Count / 2]:F1} max_ms={times[^1]:F1}");
    foreach (Socket s in sockets) s.Dispose();
    return 0;
}

/// <summary>Each byte received asks for one broadcast.</summary>
internal sealed class TriggerHandler(Action broadcast) : IConnectionHandler
{
    public NextStep OnData(ref System.Buffers.ReadOnlySequence<byte> data, System.Buffers.IBufferWriter<byte> output)
    {
        for (long i = 0; i < data.Length; i++) broadcast();
        data = data.Slice(data.End);
        return NextStep.Receive;
    }

    public NextStep OnPeerClosed(System.Buffers.ReadOnlySequence<byte> unconsumed, System.Buffers.IBufferWriter<byte> output) => NextStep.CloseAfterSending;
}
