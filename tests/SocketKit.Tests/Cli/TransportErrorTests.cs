using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Cli;

/// <summary>Errors that fit the transport: TLS spoken to a plain server and the reverse, and Unix sockets said in Unix terms.</summary>
[Tier(TestTier.Socket)]
public class TransportErrorTests
{
    private static string PortOf(Support.Cli.RunningServer server) => server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task APlainClientOfATlsServerIsToldToAddTlsAndTheServerLogSaysPlainClient()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "127.0.0.1", PortOf(server), "search", "ring", "-q");
        Assert.Equal("", CommandTreeTests.Problem(client, ExitCodesFailure));
        Assert.Contains("The server speaks TLS (a TLS handshake with it completes), and a TLS server closes a plain connection without a word: add --tls", client.Error);
        await server.Error.WaitForAsync("TLS handshake failed: the client sent bytes that are not a TLS handshake: a plain client");
        Assert.DoesNotContain("corrupted frame", server.Error.ToString());
    }

    [Fact]
    public async Task APlainEchoClientOfATlsServerIsToldToAddTls()
    {
        // The echo server's engine waits for a whole first record before it gives up: its handshake timeout bounds that.
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("echo-server", "--handshake-timeout", "500ms");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", PortOf(server), "hello", "-q");
        Assert.Equal("", CommandTreeTests.Problem(client, ExitCodesFailure));
        Assert.Contains("The server speaks TLS (a TLS handshake with it completes), and a TLS server closes a plain connection without a word: add --tls", client.Error);
    }

    [Fact]
    public async Task ATlsClientOfAPlainEchoServerIsToldItDoesNotSpeakTls()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", PortOf(server), "hello", "--tls-insecure", "-q");
        Assert.Equal("", CommandTreeTests.Problem(client, ExitCodesFailure));
        Assert.Contains($"the server at 127.0.0.1:{PortOf(server)} does not speak TLS", client.Error);
        Assert.Contains("leave out --tls, --tls-insecure and --tls-ca", client.Error);
        Assert.DoesNotContain("firewall", client.Error);
    }

    [Fact]
    public async Task MultiConnClientOverTlsToAPlainEchoServerIsToldItDoesNotSpeakTls()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, "multiconn-client", "127.0.0.1", PortOf(server), "2", "--tls-insecure", "-q");
        for (int id = 1; id <= 2; id++)
        {
            Assert.Contains($"Connection {id} failed: the server at 127.0.0.1:{PortOf(server)} does not speak TLS", client.Out);
        }
        Assert.DoesNotContain("OpenSSL", client.Out);
    }

    [Fact]
    public async Task APlainMultiConnClientOfATlsServerIsToldToAddTls()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(1, "multiconn-client", "127.0.0.1", PortOf(server), "1", "-q", "--timeout", "5s");
        Assert.Contains("The server speaks TLS (a TLS handshake with it completes), and a TLS server closes a plain connection without a word: add --tls", client.Error);
    }

    [Fact]
    public async Task ATlsClientOfAServerThatAnswersPlainBytesIsToldWhatCame()
    {
        using Socket listener = LoopbackListeners.Start();
        byte[] answer = "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray();
        Task serving = Task.Run(async () =>
        {
            using Socket c = await listener.AcceptAsync();
            await c.ReceiveAsync(new byte[4096]);
            await c.SendAsync(answer);
        });
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        using Socket socket = await Listeners.ConnectAsync(endPoint, TimeSpan.FromSeconds(5));
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            TlsStreams.AuthenticateAsClientAsync(socket, "localhost", new TlsClientOptions { AcceptAnyCertificate = true }, TimeSpan.FromSeconds(10)));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.StartsWith($"the server at {EndPoints.Format(endPoint)} does not speak TLS: it answered the handshake with {SocketKit.Protocol.Python.PythonBytes.Repr(answer.AsSpan(0, 16))}", ex.Message);
    }

    [Fact]
    public async Task ATlsHandshakeNoOneAnswersIsSaidAsAPlainServerNotAFirewall()
    {
        // Accepts and reads, never answers: what a plain server does with a ClientHello it takes for a frame's start.
        using Socket listener = LoopbackListeners.Start();
        Task<Socket> accepted = listener.AcceptAsync();
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        using Socket socket = await Listeners.ConnectAsync(endPoint, TimeSpan.FromSeconds(5));
        TimeSpan timeout = TimeSpan.FromMilliseconds(300);
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            TlsStreams.AuthenticateAsClientAsync(socket, "localhost", new TlsClientOptions { AcceptAnyCertificate = true }, timeout));
        (await accepted.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(SocketErrorKind.TlsFailed, ex.Kind);
        Assert.StartsWith($"the server at {EndPoints.Format(endPoint)} did not answer the TLS handshake in {Durations.Format(timeout)}: is it a TLS server?", ex.Message);
    }

    [Fact]
    public async Task ARegularFileAtTheSocketPathIsSaidAsSuchInUnixTerms()
    {
        string path = TestTransport.NewSocketPath();
        await File.WriteAllTextAsync(path, "not a socket");
        Support.Cli.Result server = await Support.Cli.RunAsync("echo-server", "unix:" + path);
        Assert.Equal("", CommandTreeTests.Problem(server, ExitCodesFailure));
        Assert.Contains($"{path} exists and is not a socket", server.Error);
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "unix:" + path, "hello");
        Assert.Equal("", CommandTreeTests.Problem(client, ExitCodesFailure));
        Assert.Contains($"{path} is a regular file, not a socket", client.Error);
        foreach (string said in new[] { server.Error, client.Error })
        {
            // Unix-socket advice: a path and a file, not an address and a port.
            Assert.Contains("socketkit netstat -x", said);
            Assert.DoesNotContain("PORT", said);
            Assert.DoesNotContain("-tln", said);
            Assert.DoesNotContain("127.0.0.1", said);
        }
        Assert.True(File.Exists(path), "the file the user had is left alone");
    }

    [Fact]
    public async Task NothingListeningOnAUnixSocketIsSaidInUnixTerms()
    {
        string path = TestTransport.NewSocketPath();
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "unix:" + path, "hello");
        Assert.Equal("", CommandTreeTests.Problem(client, ExitCodesFailure));
        Assert.Contains($"there is no socket file at unix:{path}", client.Error);
        Assert.Contains("no server is listening on that socket file", client.Error);
        Assert.DoesNotContain("bound to 127.0.0.1", client.Error);
    }

    private const int ExitCodesFailure = SocketKit.Cli.CommandHost.ExitCodes.Failure;
}
