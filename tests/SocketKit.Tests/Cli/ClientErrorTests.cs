namespace SocketKit.Tests.Cli;

/// <summary>
/// A client's error fits what happened on the connection: a server that took the request and said nothing is not a
/// network timeout; a server that closed is not a TLS server unless a TLS handshake with it completes; a refused
/// connection names the listener on the same port at another address.
/// </summary>
[Tier(TestTier.Socket)]
public class ClientErrorTests
{
    [Fact]
    public async Task AppClientOfASilentServerSaysItWasConnectedAndSentAndWaited()
    {
        using Socket silent = LoopbackListeners.Start();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", silent.Port().ToString(), "search", "morpheus", "--timeout", "500ms");
        Assert.Contains($"socketkit: connected to 127.0.0.1:{silent.Port()} and sent 146 bytes; no answer came in 500ms", result.Error);
        Assert.Contains("The server accepted the connection and took the 146 bytes sent, but did not answer", result.Error);
        Assert.Contains($"`socketkit diagnose 127.0.0.1 {silent.Port()}` checks every step", result.Error);
        Assert.Contains("(no answer)", result.Error);
        Assert.DoesNotContain("client done", result.Error);
        Assert.DoesNotContain("ETIMEDOUT", result.Error);
        Assert.DoesNotContain("firewall", result.Error);
    }

    [Fact]
    public async Task EchoClientOfASilentServerSaysItWasConnectedAndSentAndWaited()
    {
        using Socket silent = LoopbackListeners.Start();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "echo-client", "127.0.0.1", silent.Port().ToString(), "hello", "--timeout", "500ms");
        Assert.Contains($"socketkit: connected to 127.0.0.1:{silent.Port()} and sent 5 bytes; no echo came in 500ms", result.Error);
        Assert.DoesNotContain("firewall", result.Error);
    }

    [Fact]
    public async Task AServerThatClosesAfterTheRequestIsSaidSoWithoutAWordOfTls()
    {
        using Socket listener = LoopbackListeners.Start();
        Task closer = Task.Run(async () =>
        {
            // Takes the request and the handshake attempt that follows it alike, and closes each without a word.
            for (int i = 0; i < 2; i++)
            {
                using Socket s = await listener.AcceptAsync();
                await s.ReceiveAsync(new byte[4096]);
            }
        });
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", listener.Port().ToString(), "search", "morpheus");
        Assert.Contains($"socketkit: the server closed the connection after 146 bytes: 127.0.0.1:{listener.Port()} took the request and closed without answering", result.Error);
        Assert.Contains("The server took the 146 bytes sent and ended the connection", result.Error);
        Assert.DoesNotContain("TLS", result.Error);
        listener.Dispose();
        await Task.WhenAny(closer, Task.Delay(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task APlainClientOfATlsServerIsToldItSpeaksTlsBecauseAHandshakeCompleted()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartTlsServerAsync("app-server");
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", server.Port.ToString(), "search", "morpheus", "-q");
        Assert.Contains("the server closed the connection after 146 bytes", result.Error);
        Assert.Contains("The server speaks TLS (a TLS handshake with it completes)", result.Error);
        Assert.Contains("add --tls (", result.Error);
    }

    [Fact]
    public async Task ARefusalNamesTheServerOnTheSamePortAtAnotherAddress()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        foreach (string[] client in new[] { new[] { "app-client", "127.0.0.2", server.Port.ToString(), "search", "morpheus" }, ["echo-client", "127.0.0.2", server.Port.ToString()] })
        {
            Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, client);
            Assert.Contains($"socketkit: connection refused: nothing is listening on 127.0.0.2:{server.Port}", result.Error);
            Assert.Contains($"  But a server listens on the same port at another address: 127.0.0.1:{server.Port} ({Environment.ProcessId}/", result.Error);
            Assert.Contains($"connect to 127.0.0.1 {server.Port}, or start it on 127.0.0.2", result.Error);
        }
    }

    [Fact]
    public async Task ARefusalWithNothingOnThePortSaysNoMore()
    {
        using HeldPort closed = Ports.Hold();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "echo-client", "127.0.0.1", closed.Port.ToString());
        Assert.Contains("ECONNREFUSED", result.Error);
        Assert.DoesNotContain("another address", result.Error);
    }
}
