using SocketKit.Tests.Support;

namespace SocketKit.Tests.Interop;

/// <summary>SocketKit and a Python program written from the protocol contract talk to each other, in both directions.</summary>
public class PythonInteropTests
{
    [ExternalTheory("python3")]
    [InlineData("search", "morpheus", "Got result: Follow the white rabbit. \U0001F430")]
    [InlineData("search", "\U0001F436", "Got result: \U0001F43E Playing ball! \U0001F3D0")]
    [InlineData("search", "say \"hi\"", "Got result: No match for 'say \"hi\"'.")]
    [InlineData("double", "21", "Got response: b'First 10 bytes of request: double21'")]
    public async Task ThePythonClientGetsSocketKitsAnswers(string action, string value, string expected)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        var (code, output, error) = await PythonPeer.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), action, value);
        Assert.True(code == 0, error);
        Assert.Equal(expected + "\n", output);
    }

    [ExternalTheory("python3")]
    [InlineData("search", "ring", "Got result: In the caves beneath the Misty Mountains. \U0001F48D")]
    [InlineData("search", "neo", "Got result: No match for 'neo'.")]
    [InlineData("find", "xyz", "Got response: b'First 10 bytes of request: findxyz'")]
    public async Task TheSocketKitClientGetsThePythonServersAnswers(string action, string value, string expected)
    {
        var (peer, port) = await PythonPeer.StartServerAsync("app-server");
        using (peer)
        {
            Support.Cli.Result r = await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), action, value);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Equal(expected + "\n", r.Out);
            Assert.Equal(0, (await peer.WaitAsync()).ExitCode);
        }
    }

    [ExternalFact("python3")]
    public async Task ThePythonEchoClientAndSocketKitsEchoServer()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        var (code, output, error) = await PythonPeer.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "Hello, world");
        Assert.True(code == 0, error);
        Assert.Equal("Received b'Hello, world'\n", output);
    }

    [ExternalFact("python3")]
    public async Task SocketKitsEchoClientAndThePythonEchoServer()
    {
        var (peer, port) = await PythonPeer.StartServerAsync("echo-server");
        using (peer)
        {
            Support.Cli.Result r = await Support.Cli.RunAsync("echo-client", "127.0.0.1", port.ToString());
            Assert.Equal("Received b'Hello, world'\n", r.Out);
            Assert.Equal(0, (await peer.WaitAsync()).ExitCode);
        }
    }

    [ExternalFact("python3")]
    public async Task ThePythonMulticonnClientAndSocketKitsMulticonnServer()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("multiconn-server", "127.0.0.1", "0");
        var (code, output, error) = await PythonPeer.RunAsync("multiconn-client", "127.0.0.1", server.Port.ToString(), "3");
        Assert.True(code == 0, error);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith("received b'Message 1 from client.Message 2 from client.'", StringComparison.Ordinal)));
    }

    [ExternalFact("python3")]
    public async Task SocketKitsMulticonnClientAndThePythonMulticonnServer()
    {
        var (peer, port) = await PythonPeer.StartServerAsync("multiconn-server", connections: 4);
        using (peer)
        {
            Support.Cli.Result r = await Support.Cli.RunAsync("multiconn-client", "127.0.0.1", port.ToString(), "4");
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Equal(4, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(0, (await peer.WaitAsync()).ExitCode);
        }
    }
}
