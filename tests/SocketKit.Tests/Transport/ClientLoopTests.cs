using SocketKit.Transport.Clients;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The client readiness loop on its own, with a logic that records what it is told: the deadlines of its min-heap,
/// the bound on connects in flight, the connect and handshake phases' failures and timeouts, and the server's end.
/// </summary>
[Tier(TestTier.Socket)]
public class ClientLoopTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task DeadlinesFireInTheirOrderWhateverOrderTheyWereSetInAndNeverEarly()
    {
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ => new EchoHandler());
        using var loop = new ClientLoop(server.LocalEndPoint!, null, "localhost", Long, Long);
        // Set out of order; some pushed back after being set, one brought forward: the heap keeps the current one.
        int[] order = [5, 1, 4, 2, 3, 0];
        var fired = new List<(int Index, long At, long Due)>();
        long[] dues = new long[order.Length];
        var logics = new Recorder[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            int index = order[i];
            logics[i] = new Recorder
            {
                OnOpened = c =>
                {
                    long due = dues[index] = ClientLoop.Now + ClientLoop.Ticks(TimeSpan.FromMilliseconds(40 * (index + 1)));
                    c.Deadline = index % 2 == 0 ? ClientLoop.Now : long.MaxValue / 4; // A first deadline, then the real one.
                    c.Deadline = due;
                    c.Deadline = due; // Set again unchanged: still fires once.
                },
                OnTimedOut = (c, _) =>
                {
                    fired.Add((index, ClientLoop.Now, dues[index]));
                    c.Close();
                },
            };
            loop.Connect(logics[i]);
        }
        RunBounded(loop);
        Assert.Equal([0, 1, 2, 3, 4, 5], fired.Select(f => f.Index));
        Assert.All(fired, f => Assert.True(f.At >= f.Due, $"connection {f.Index} woken {f.Due - f.At} ticks early"));
        Assert.All(logics, l => Assert.Null(l.Failure));
    }

    [Fact]
    public void ConnectsBeyondTheBoundWaitForOthersToFinish()
    {
        using Socket listener = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 64);
        using var loop = new ClientLoop(listener.LocalEndPoint!, null, "localhost", Long, Long, maxConnecting: 2);
        var logics = Enumerable.Range(0, 8).Select(_ => new Recorder { OnOpened = c => c.Close() }).ToArray();
        foreach (Recorder logic in logics)
        {
            loop.Connect(logic);
        }
        int most = 0;
        RunBounded(loop, () => most = Math.Max(most, loop.Connections.Count(c => c.Phase == ClientPhase.Connecting)));
        Assert.Equal(2, most);
        Assert.All(logics, l => Assert.Equal(1, l.Opened));
    }

    [Fact]
    public void AHandshakeWithAServerThatNeverAnswersTimesOutInItsPhase()
    {
        using Socket silent = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16); // Connects complete; nothing answers.
        var tls = new TlsClientOptions { TrustedRoots = [TestCertificates.Server] };
        using var loop = new ClientLoop(silent.LocalEndPoint!, tls, "localhost", Long, TimeSpan.FromMilliseconds(200));
        var logic = new Recorder();
        var watch = Stopwatch.StartNew();
        loop.Connect(logic);
        RunBounded(loop);
        Assert.Equal(ClientPhase.Handshaking, logic.TimedOutIn);
        Assert.Equal(0, logic.Opened);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AConnectThatFailsAtOnceIsReportedByTheLoopNotInsideConnect()
    {
        var missing = new UnixDomainSocketEndPoint(TestTransport.NewSocketPath()); // No file: refused at once.
        using var loop = new ClientLoop(missing, null, "localhost", Long, Long);
        var logic = new Recorder();
        ClientConnection connection = loop.Connect(logic);
        Assert.Null(logic.Failure); // Not yet: the logic hears of it in a turn of its own.
        RunBounded(loop);
        Assert.True(connection.IsClosed);
        Assert.Equal(ClientPhase.Connecting, logic.FailedIn);
        Assert.Equal(SocketErrorKind.ConnectionRefused, Assert.IsType<NetworkException>(logic.Failure).Kind);
    }

    [Fact]
    public void TheServersEndIsEndedAndWhatCameBeforeItIsReceived()
    {
        using Socket listener = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16);
        using var loop = new ClientLoop(listener.LocalEndPoint!, null, "localhost", Long, Long);
        var logic = new Recorder();
        loop.Connect(logic);
        using (Socket accepted = listener.Accept())
        {
            accepted.Send("bye"u8);
        }
        RunBounded(loop);
        Assert.Equal("bye", Encoding.ASCII.GetString([.. logic.Bytes]));
        Assert.True(logic.Ended);
    }

    /// <summary>Runs the loop until every connection is closed, failing the test after 10 s.</summary>
    private static void RunBounded(ClientLoop loop, Action? eachTurn = null)
    {
        var limit = Stopwatch.StartNew();
        loop.Run(() =>
        {
            eachTurn?.Invoke();
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(10), "the loop did not finish in 10 s");
            return true;
        });
    }

    private sealed class Recorder : IClientLogic
    {
        public Action<ClientConnection>? OnOpened { get; init; }
        public Action<ClientConnection, ClientPhase>? OnTimedOut { get; init; }
        public int Opened { get; private set; }
        public List<byte> Bytes { get; } = [];
        public bool Ended { get; private set; }
        public ClientPhase? FailedIn { get; private set; }
        public Exception? Failure { get; private set; }
        public ClientPhase? TimedOutIn { get; private set; }

        void IClientLogic.Opened(ClientConnection connection)
        {
            Opened++;
            OnOpened?.Invoke(connection);
        }

        void IClientLogic.Received(ClientConnection connection, ReadOnlySpan<byte> bytes) => Bytes.AddRange(bytes);

        void IClientLogic.Ended(ClientConnection connection) => Ended = true;

        void IClientLogic.Failed(ClientConnection connection, ClientPhase phase, Exception failure) => (FailedIn, Failure) = (phase, failure);

        void IClientLogic.TimedOut(ClientConnection connection, ClientPhase phase)
        {
            TimedOutIn = phase;
            OnTimedOut?.Invoke(connection, phase);
        }
    }
}
