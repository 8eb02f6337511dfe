using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Chat;

/// <summary>
/// A multi-person chat on SocketKit, as Beej's guide's selectserver: every line a client sends is pushed to every other
/// client. With --redis, any number of these servers share one chat through Redis pub/sub.
/// </summary>
public static class Program
{
    private const string Usage =
        """
        usage: Chat server [HOST] PORT [--redis HOST:PORT]   serve the chat on HOST (default 127.0.0.1) and PORT (0: any free port)
               Chat client HOST PORT NAME                   join as NAME: send each line of input, print each line heard
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["-h" or "--help" or "help", ..])
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (args is [])
        {
            return Fail("say server or client");
        }
        using var stop = new CancellationTokenSource();
        // Ctrl+C and SIGTERM stop the program cleanly instead of killing it.
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        switch (args)
        {
            case ["server", .. string[] rest]:
                return TryParseServer(rest, out IPEndPoint? endPoint, out string? redis, out string? error)
                    ? await ChatServer.RunAsync(endPoint, redis, stop.Token)
                    : Fail(error);
            case ["client", string host, string port, string name]:
                if (!TryParsePort(port, out int number))
                {
                    return Fail($"'{port}' is not a port (0 to 65535)");
                }
                if (name.Trim().Length is 0 or > ChatProtocol.MaxNameLength)
                {
                    return Fail($"a name is 1 to {ChatProtocol.MaxNameLength} characters");
                }
                return await ChatClient.RunAsync(host, number, name.Trim(), stop.Token);
            case ["client", ..]:
                return Fail("client takes HOST PORT NAME");
            default:
                return Fail($"unknown command '{args[0]}'");
        }
    }

    private static int Fail(string? error)
    {
        Console.Error.WriteLine($"Chat: {error}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static bool TryParseServer(string[] args, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endPoint, out string? redis, out string? error)
    {
        endPoint = null;
        redis = null;
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--redis")
            {
                if (i + 1 == args.Length || !IsHostAndPort(args[i + 1]))
                {
                    error = "--redis takes HOST:PORT, for example 127.0.0.1:6379";
                    return false;
                }
                redis = args[++i];
            }
            else if (args[i].StartsWith('-'))
            {
                error = $"unknown option '{args[i]}'";
                return false;
            }
            else
            {
                positional.Add(args[i]);
            }
        }
        if (positional.Count is 0 or > 2)
        {
            error = "server takes [HOST] PORT";
            return false;
        }
        string host = positional.Count == 2 ? positional[0] : "127.0.0.1";
        if (!TryParsePort(positional[^1], out int port))
        {
            error = $"'{positional[^1]}' is not a port (0 to 65535)";
            return false;
        }
        IPAddress? address = IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : Resolve(host);
        if (address is null)
        {
            error = $"'{host}' is not an address or a name this machine can resolve";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }

    private static IPAddress? Resolve(string host)
    {
        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort;

    private static bool IsHostAndPort(string text)
    {
        int colon = text.LastIndexOf(':');
        return colon > 0 && TryParsePort(text[(colon + 1)..], out int port) && port > 0;
    }
}
