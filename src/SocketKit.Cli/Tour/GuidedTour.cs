using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Applications.App;
using SocketKit.Applications.Echo;
using SocketKit.Applications.MultiConn;
using SocketKit.Diagnostics.SocketTable;
using SocketKit.Protocol;
using SocketKit.Protocol.Python;
using SocketKit.Transport;
using SocketKit.Transport.Engines;
using SocketKit.Transport.Errors;

namespace SocketKit.Cli.Tour;

/// <summary>
/// socketkit tour: the whole tutorial on loopback, in one run, its troubleshooting section included. Each step
/// starts its server on a port the system picks, runs the client through the library, shows what happened, and
/// ends with the tutorial section to read and the commands to run it by hand.
/// </summary>
internal sealed partial class GuidedTour(CliContext context, ILogger logger, bool colour, CancellationToken cancellationToken, bool keep = false)
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);
    private static readonly ClientOptions Client = new() { ConnectTimeout = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(10) };
    private int _step;

    /// <summary>The steps, in the tutorial's order; the README's list of them is held to this one by a test.</summary>
    public static IReadOnlyList<TourStep> Steps { get; } =
    [
        new("Echo client and server", "Echo Client and Server", "echo-client-and-server"),
        new("Viewing socket state", "Viewing Socket State", "viewing-socket-state"),
        new("Handling multiple connections", "Handling Multiple Connections", "handling-multiple-connections"),
        new("Application client and server: one conversation, byte by byte", "Application Client and Server", "application-client-and-server"),
        new("Communication breakdown: connection refused", "Communication Breakdown", "communication-breakdown"),
        new("Ping: is the host up, and does anything listen on the port?", "Ping", "ping"),
        new("netstat: the socket table while data is in flight, and after", "netstat", "netstat"),
        new("Windows: the same states and errors, in Windows' words", "Windows", "windows"),
        new("Wireshark: one conversation captured with trace --pcap", "Wireshark", "wireshark"),
    ];

    /// <summary>Runs every step, or only step <paramref name="only"/> (from 1).</summary>
    public async Task RunAsync(int? only = null)
    {
        Line("A tour of the \"Socket Programming in Python\" tutorial, run for real on 127.0.0.1.");
        Line("Every server below listens on a port the system picks; nothing leaves this machine.");
        for (int step = 1; step <= Steps.Count; step++)
        {
            if (only is null || only == step)
            {
                _step = step;
                await RunStepAsync(step);
            }
        }
        Line("");
        Line(only is null
            ? Bold("Tour complete.") + " Next: `socketkit COMMAND --help` for any command, and docs/ for the protocol and the architecture."
            : Bold($"Step {only} done.") + $" `socketkit tour --list` lists all {Steps.Count}; `socketkit tour` runs them in order.");
    }

    /// <summary>Prints the steps and the section each reads, without running them.</summary>
    private Task RunStepAsync(int step) => step switch
    {
        1 => EchoAsync(),
        2 => SocketStateAsync(),
        3 => MultiConnAsync(),
        4 => ApplicationAsync(),
        5 => ErrorsAsync(),
        6 => PingAsync(),
        7 => QueuesAsync(),
        8 => WindowsAsync(),
        9 => WiresharkAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, $"the tour has steps 1 to {Steps.Count}"),
    };

    private async Task EchoAsync()
    {
        Heading();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = AnyLoopbackPort, Engine = EngineKind.Blocking }, _ => new EchoHandler(), logger);
        int port = Port(server);
        Line($"echo-server listens on 127.0.0.1:{port} with blocking sockets: accept(), recv() and sendall() each wait.");
        byte[] echo = await EchoClient.EchoAsync("127.0.0.1", port, "Hello, world"u8.ToArray(), Client, logger, cancellationToken);
        Line($"echo-client sent b'Hello, world' and got back {PythonBytes.Repr(echo)}, reading until every byte was back.");
        Next("socketkit echo-server 127.0.0.1 65432", "socketkit echo-client 127.0.0.1 65432");
    }

    private async Task SocketStateAsync()
    {
        Heading();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = AnyLoopbackPort, Engine = EngineKind.Blocking }, _ => new EchoHandler(), logger);
        int port = Port(server);
        using (Socket client = await Listeners.ConnectAsync(server.LocalEndPoint, Client.ConnectTimeout, cancellationToken))
        {
            // One echo round trip, so the server has accepted the connection before the table is read.
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, cancellationToken);
            await ReceiveExactlyAsync(client, 4);
            Line($"While a client is connected to 127.0.0.1:{port}, the kernel's socket table holds the listener and both ends:");
            Table(port);
            // The client closes first: after the server's FIN comes back, the client's side waits in TIME-WAIT.
            client.Shutdown(SocketShutdown.Send);
            await ReceiveExactlyAsync(client, 0);
        }
        Line("After the client closed first, its side stays in TIME-WAIT (about 60 s on Linux); the server's side is gone:");
        Table(port);
        Next("socketkit echo-server 127.0.0.1 65432", $"ss -tan 'sport = :65432 or dport = :65432'   # or: netstat -an");
    }

    private async Task MultiConnAsync()
    {
        Heading();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = AnyLoopbackPort, Engine = EngineKind.Select }, _ => new EchoHandler(), logger);
        int port = Port(server);
        Line($"multiconn-server listens on 127.0.0.1:{port}: one thread, non-blocking sockets, a selector that says which are ready.");
        IReadOnlyList<MultiConnResult> results = await MultiConnClient.RunAsync("127.0.0.1", port, 2, options: Client, logger: logger, cancellationToken: cancellationToken);
        foreach (MultiConnResult r in results)
        {
            Line($"connection {r.ConnectionId} sent its two messages and got back {PythonBytes.Repr(r.Received)}{(r.Error is null ? "" : $" ({r.Error})")}");
        }
        Next("socketkit multiconn-server 127.0.0.1 65432 -v", "socketkit multiconn-client 127.0.0.1 65432 2");
    }

    private async Task ApplicationAsync()
    {
        Heading();
        await using AppServer server = new AppServer(new ServerOptions { EndPoint = AnyLoopbackPort }, logger).Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        Line($"app-server listens on 127.0.0.1:{port}. The client sends {{\"action\": \"search\", \"value\": \"morpheus\"}}:");
        var request = new ArrayBufferWriter<byte>();
        Message search = AppRequests.Json("search", "morpheus");
        MessageEncoder.Write(request, search.Header, search.Content.Span);
        Trace("request", request.WrittenSpan);

        using Socket client = await Listeners.ConnectAsync(server.LocalEndPoint, Client.ConnectTimeout, cancellationToken);
        await client.SendAsync(request.WrittenMemory, SocketFlags.None, cancellationToken);
        byte[] response = await ReceiveExactlyAsync(client, 0);
        Line("The server answers, then closes its side, as app-server.py does:");
        Trace("response", response);
        Next("socketkit app-server 127.0.0.1 65432",
            "socketkit app-client 127.0.0.1 65432 search morpheus -v   # -v prints the bytes, as above");
    }

    private async Task ErrorsAsync()
    {
        Heading();
        int closedPort = FreePort();
        try
        {
            await EchoClient.EchoAsync("127.0.0.1", closedPort, "Hello"u8.ToArray(), Client, logger, cancellationToken);
            Line($"Something answered on 127.0.0.1:{closedPort} (another program took the port meanwhile); run the commands below to see the error.");
        }
        catch (NetworkException ex)
        {
            Line($"echo-client to 127.0.0.1:{closedPort}, where nothing listens, fails at once and says why:");
            Line($"  socketkit: {ex.Message}");
            Line($"    {ex.Advice.ErrnoName}: {ex.Advice.Summary}");
            Line($"    What to check: {Explain.WhatToCheck.For(ex)}");
        }
        Next("socketkit echo-client 127.0.0.1 1", "echo $?   # 1: a network failure; 2 would be a usage error");
    }

    /// <summary>Prints a frame as the decoder reads it: the 2-byte length, the JSON header, then the content.</summary>
    private void Trace(string what, ReadOnlySpan<byte> bytes)
    {
        Line($"  {bytes.Length} bytes on the wire: {PythonBytes.Repr(bytes, 96)}");
        var decoder = new MessageDecoder();
        var sequence = new ReadOnlySequence<byte>(bytes.ToArray());
        if (!decoder.TryDecode(ref sequence, out Message message))
        {
            Line($"  (the {what} is not whole: {bytes.Length} bytes)");
            return;
        }
        int headerLength = (bytes[0] << 8) | bytes[1];
        Line($"  {PythonBytes.Repr(bytes[..2])}      proto-header: the JSON header is {headerLength} bytes (2 bytes, big-endian)");
        Line($"  {TextEncodings.Decode("utf-8", bytes.Slice(2, headerLength))}");
        Line($"                   JSON header: content-type {message.Header.ContentType}, {message.Header.ContentEncoding}, {message.Header.ContentLength} bytes of content");
        string content = message.Header.IsJson ? TextEncodings.Decode(message.Header.ContentEncoding, message.Content.Span) : PythonBytes.Repr(message.Content.Span);
        Line($"  {content}");
        Line("                   content");
        if (message.Header.IsJson)
        {
            using JsonDocument json = JsonContent.Parse(message.Content, message.Header.ContentEncoding);
            if (json.RootElement.TryGetProperty("result", out JsonElement result))
            {
                Line($"  Got result: {result.GetString()}");
            }
        }
    }

    /// <summary>Prints this machine's IPv4 TCP sockets on <paramref name="port"/> as ss -tan does, listeners first, from the netstat library.</summary>
    private void Table(int port)
    {
        (IReadOnlyList<SocketEntry> entries, _) = SocketTableReader.Read(new SocketTableQuery { Tcp = true, All = true, Port = port });
        Line($"  {"State",-11} {"Recv-Q",6} {"Send-Q",6} {"Local Address:Port",21} {"Peer Address:Port",21}");
        foreach (SocketEntry s in entries.Where(e => e.Protocol == "tcp").OrderBy(e => e.IsListening ? 0 : 1).ThenBy(e => e.LocalPort))
        {
            Line($"  {SsState(s.State),-11} {Queue(s.RecvQ),6} {Queue(s.SendQ),6} {s.Local,21} {s.Remote,21}");
        }
    }

    /// <summary>The state as ss names it (ESTAB, TIME-WAIT, FIN-WAIT-1), from netstat's name (ESTABLISHED, TIME_WAIT, FIN_WAIT1).</summary>
    private static string SsState(string state) => state switch
    {
        "ESTABLISHED" => "ESTAB",
        "FIN_WAIT1" => "FIN-WAIT-1",
        "FIN_WAIT2" => "FIN-WAIT-2",
        _ => state.Replace('_', '-'),
    };

    // Where the table's source has no queues (IPGlobalProperties, off Linux), ss's placeholder.
    private static string Queue(long? bytes) => bytes?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Reads <paramref name="count"/> bytes, or with 0 everything until the peer closes; bounded by the client timeout.</summary>
    private async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Client.Timeout);
        var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (count == 0 || received.Length < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(0, count == 0 ? buffer.Length : Math.Min(buffer.Length, count - (int)received.Length)), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }
            received.Write(buffer, 0, n);
        }
        return received.ToArray();
    }

    private static int Port(SocketServer server) => ((IPEndPoint)server.LocalEndPoint).Port;

    private void Heading()
    {
        Line("");
        Line(Bold($"{_step}/{Steps.Count} {Steps[_step - 1].Title}"));
    }

    /// <summary>Ends a step: the section to read, then the commands to run it by hand.</summary>
    private void Next(params string[] commands)
    {
        TourStep step = Steps[_step - 1];
        Line($"Read:  \"{step.Section}\" {step.Url}");
        for (int i = 0; i < commands.Length; i++)
        {
            Line($"{(i == 0 ? "Try:" : ""),-6} {commands[i]}");
        }
    }

    private string Bold(string text) => colour ? $"\u001b[1;36m{text}\u001b[0m" : text;

    private void Line(string text) => context.Write(text + "\n");
}
