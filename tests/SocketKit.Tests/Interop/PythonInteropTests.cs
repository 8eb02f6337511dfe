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
        string output = await RunThePythonClientAsync("app-server", "app-client", action, value);
        Assert.Equal(expected + "\n", output);
    }

    [ExternalTheory("python3")]
    [InlineData("search", "ring", "Got result: In the caves beneath the Misty Mountains. \U0001F48D")]
    [InlineData("search", "neo", "Got result: No match for 'neo'.")]
    [InlineData("find", "xyz", "Got response: b'First 10 bytes of request: findxyz'")]
    public async Task TheSocketKitClientGetsThePythonServersAnswers(string action, string value, string expected)
    {
        Support.Cli.Result r = await RunSocketKitsClientAsync("app-server", 1, "app-client", action, value);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(expected + "\n", r.Out);
    }

    [ExternalFact("python3")]
    public async Task ThePythonEchoClientAndSocketKitsEchoServer()
    {
        string output = await RunThePythonClientAsync("echo-server", "echo-client", "Hello, world");
        Assert.Equal("Received b'Hello, world'\n", output);
    }

    [ExternalFact("python3")]
    public async Task SocketKitsEchoClientAndThePythonEchoServer()
    {
        Support.Cli.Result r = await RunSocketKitsClientAsync("echo-server", 1, "echo-client");
        Assert.Equal("Received b'Hello, world'\n", r.Out);
    }

    [ExternalFact("python3")]
    public async Task ThePythonMulticonnClientAndSocketKitsMulticonnServer()
    {
        string output = await RunThePythonClientAsync("multiconn-server", "multiconn-client", "3");
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith("received b'Message 1 from client.Message 2 from client.'", StringComparison.Ordinal)));
    }

    [ExternalFact("python3")]
    public async Task SocketKitsMulticonnClientAndThePythonMulticonnServer()
    {
        Support.Cli.Result r = await RunSocketKitsClientAsync("multiconn-server", 4, "multiconn-client", "4");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(4, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>Runs the Python <paramref name="client"/> against SocketKit's <paramref name="server"/> on a free port: it must exit 0; returns what it printed.</summary>
    private static async Task<string> RunThePythonClientAsync(string server, string client, params string[] args)
    {
        await using Support.Cli.RunningServer running = await Support.Cli.StartServerAsync(server, "127.0.0.1", "0");
        var (code, output, error) = await PythonPeer.RunAsync([client, "127.0.0.1", running.Port.ToString(), .. args]);
        Assert.True(code == 0, error);
        return output;
    }

    /// <summary>Runs SocketKit's <paramref name="client"/> against the Python <paramref name="server"/>, which must exit 0 once it has served <paramref name="connections"/> connections.</summary>
    private static async Task<Support.Cli.Result> RunSocketKitsClientAsync(string server, int connections, string client, params string[] args)
    {
        var (peer, port) = await PythonPeer.StartServerAsync(server, connections);
        using (peer)
        {
            Support.Cli.Result r = await Support.Cli.RunAsync([client, "127.0.0.1", port.ToString(), .. args]);
            var (code, _, error) = await peer.WaitAsync();
            Assert.True(code == 0, $"the Python {server} exited {code}: {error}; {client} said: {r.Error}");
            return r;
        }
    }
}
