namespace SocketKit.Tests.Transport;

/// <summary>Addresses as users type and read them, and the listeners and connections made from them.</summary>
[Tier(TestTier.Socket)]
public class EndPointAndListenerTests
{
    [Theory]
    [InlineData("127.0.0.1", 5, "127.0.0.1:5")]
    [InlineData("::1", 65432, "[::1]:65432")]
    [InlineData("::ffff:127.0.0.1", 80, "127.0.0.1:80")]
    [InlineData("fe80::1", 1, "[fe80::1]:1")]
    public void AddressesAreWrittenOneWayIPv4MappedOnesAsIPv4(string address, int port, string expected) =>
        Assert.Equal(expected, EndPoints.Format(new IPEndPoint(IPAddress.Parse(address), port)));

    [Fact]
    public void AUnixSocketIsWrittenAsUnixColonPathAndAnUnboundPeerAsUnnamed()
    {
        Assert.Equal("unix:/run/app.sock", EndPoints.Format(new UnixDomainSocketEndPoint("/run/app.sock")));
        using var pair = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        string path = TestTransport.NewSocketPath();
        using Socket listener = Listeners.Listen(new UnixDomainSocketEndPoint(path), 1);
        pair.Connect(new UnixDomainSocketEndPoint(path));
        using Socket accepted = listener.Accept();
        Assert.Equal("unix:(unnamed)", EndPoints.Format(accepted.RemoteEndPoint!));
        File.Delete(path);
    }

    [Theory]
    [InlineData("unix:/tmp/a.sock", true)]
    [InlineData("unix:relative.sock", true)]
    [InlineData("unix:", false)]
    [InlineData("::", true)]
    [InlineData("localhost", true)]
    [InlineData("not a host", false)]
    public void HostsAreCheckedBeforeAnythingIsOpened(string host, bool valid) => Assert.Equal(valid, EndPoints.IsValidHost(host));

    [Fact]
    public void AUnixPathLongerThanTheKernelTakesIsNotAValidHost()
    {
        Assert.True(EndPoints.IsValidHost("unix:/" + new string('a', EndPoints.MaxUnixPathBytes - 1)));
        Assert.False(EndPoints.IsValidHost("unix:/" + new string('a', EndPoints.MaxUnixPathBytes)));
    }

    [Fact]
    public async Task ADualStackListenerShowsItsIPv4PeersAsIPv4()
    {
        var remotes = new List<string>();
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.IPv6Any, 0) },
            connection => { lock (remotes) remotes.Add(connection.Remote); return new EchoHandler(); });
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync("127.0.0.1", server.Port(), "hi"u8.ToArray()));
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync("::1", server.Port(), "hi"u8.ToArray()));
        Assert.Equal(2, remotes.Count);
        Assert.Matches(@"^127\.0\.0\.1:\d+$", remotes[0]);
        Assert.Matches(@"^\[::1\]:\d+$", remotes[1]);
    }

    [Fact]
    public async Task ConnectingTriesEachAddressInTurnUntilOneAnswers()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select, TestTransport.Ipv6);
        // A port just released on 127.0.0.1: nothing listens there, so the first address is refused.
        int closedPort = Ports.Free();
        EndPoint[] candidates = [new IPEndPoint(IPAddress.Loopback, closedPort), new IPEndPoint(IPAddress.IPv6Loopback, server.Port())];
        using Socket socket = await Listeners.ConnectAsync(candidates, TimeSpan.FromSeconds(5));
        Assert.Equal(candidates[1], socket.RemoteEndPoint);
    }

    [Fact]
    public async Task WhenNoAddressAnswersTheLastOnesErrorIsReported()
    {
        int closedPort = Ports.Free();
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            Listeners.ConnectAsync([new IPEndPoint(IPAddress.Loopback, closedPort), new UnixDomainSocketEndPoint(TestTransport.NewSocketPath())], TimeSpan.FromSeconds(5)));
        Assert.StartsWith("unix:/", ex.EndPoint);
    }

    [Fact]
    public void AHostNameThatDoesNotResolveIsSaidInWords()
    {
        // Built from the error the resolver raises, so no name lookup leaves this machine.
        NetworkException ex = NetworkException.From(new SocketException((int)SocketError.HostNotFound), "resolve", "no-such-host.example");
        Assert.Equal(SocketErrorKind.HostNotFound, ex.Kind);
        Assert.StartsWith("could not resolve no-such-host.example: ", ex.Message);
        Assert.Contains("host name did not resolve", ex.Advice.Summary);
    }

    [Fact]
    public async Task AHostNameResolvesAndIsConnectedTo()
    {
        // localhost comes from /etc/hosts: no query leaves the machine.
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync("localhost", server.Port(), "hi"u8.ToArray()));
    }

    [ExternalFact("python3")]
    public async Task AStaleSocketFileFromADeadServerIsReplaced()
    {
        string path = TestTransport.NewSocketPath();
        // A process that listens and exits without unlinking leaves its file behind as a crashed server does
        // (.NET unlinks the files of its own sockets on Dispose, so the dead server is a Python one).
        using (var dead = Process.Start("python3", ["-c", $"import socket; s = socket.socket(socket.AF_UNIX); s.bind('{path}'); s.listen()"]))
        {
            await dead.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, dead.ExitCode);
        }
        Assert.True(File.Exists(path));
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new UnixDomainSocketEndPoint(path) }, _ => new EchoHandler());
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync("unix:" + path, 0, "hi"u8.ToArray()));
    }

    [Fact]
    public async Task ASocketFileALiveServerAnswersOnIsNotTaken()
    {
        await using SocketServer live = TestServers.Echo(EngineKind.Select, TestTransport.Unix);
        NetworkException ex = Assert.Throws<NetworkException>(() =>
            SocketServer.Start(new ServerOptions { EndPoint = live.LocalEndPoint }, _ => new EchoHandler()));
        Assert.Equal(SocketErrorKind.AddressInUse, ex.Kind);
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync(EndPoints.Format(live.LocalEndPoint), 0, "hi"u8.ToArray()));
    }

    [Fact]
    public void AFileThatIsNotASocketIsNeverRemoved()
    {
        string path = TestTransport.NewSocketPath();
        File.WriteAllText(path, "keep me");
        NetworkException ex = Assert.Throws<NetworkException>(() =>
            SocketServer.Start(new ServerOptions { EndPoint = new UnixDomainSocketEndPoint(path) }, _ => new EchoHandler()));
        Assert.Equal($"cannot listen on unix:{path}: {path} exists and is not a socket; remove it or pick another path", ex.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
        File.Delete(path);
    }

    [Fact]
    public async Task AStoppedServerRemovesItsSocketFile()
    {
        SocketServer server = TestServers.Echo(EngineKind.Select, TestTransport.Unix);
        string path = server.LocalEndPoint.ToString()!;
        Assert.True(File.Exists(path));
        await server.DisposeAsync();
        Assert.False(File.Exists(path));
    }
}
