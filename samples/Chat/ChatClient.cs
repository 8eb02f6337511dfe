using System.Net.Sockets;
using System.Text;

namespace Chat;

/// <summary>
/// The chat client: sends its name, then each line of its standard input, and prints every line the server sends.
/// At the end of its input it closes its sending side and waits for the server to close (at most
/// <see cref="CloseWait"/>), so nothing the server still had to say is lost.
/// </summary>
public static class ChatClient
{
    /// <summary>How long the client waits for the server to close once its own input has ended.</summary>
    public static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    /// <returns>The exit code: 0 at the end of input or on Ctrl+C, 1 when the server cannot be reached or closes first.</returns>
    public static async Task<int> RunAsync(string host, int port, string name, CancellationToken stop)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, stop);
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"Chat: cannot connect to {host}:{port}: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        await Console.Error.WriteLineAsync($"Connected to {host}:{port} as {name}; type lines to send, end with Ctrl+D");
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            await stream.WriteAsync(ChatProtocol.Line(name), stop);
            Task received = PrintReceivedAsync(stream);
            Task sent = SendInputAsync(stream, stop);
            if (await Task.WhenAny(received, sent) == received)
            {
                await Console.Error.WriteLineAsync("Chat: the server closed the connection");
                return 1;
            }
            await sent; // Its errors, if any.
            socket.Shutdown(SocketShutdown.Send); // The server relays what it had, then closes: half-close, as the tutorial's clients do.
            await received.WaitAsync(CloseWait, stop);
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0; // Ctrl+C or SIGTERM.
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"Chat: the server did not close within {CloseWait.TotalSeconds:0} s; leaving");
            return 0;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"Chat: the connection failed: {ex.InnerException?.Message ?? ex.Message}");
            return 1;
        }
    }

    private static async Task PrintReceivedAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                await Console.Out.WriteLineAsync(line);
            }
        }
        catch (IOException)
        {
            // Reset by the server: the conversation is over all the same.
        }
    }

    private static async Task SendInputAsync(Stream stream, CancellationToken stop)
    {
        using var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        while (await input.ReadLineAsync(stop) is { } line)
        {
            await stream.WriteAsync(ChatProtocol.Line(line), stop);
        }
    }
}
