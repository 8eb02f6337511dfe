using System.Security.Authentication;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The sans-I/O TLS pump with no socket at all: a client pump and a server pump wired to each other in memory, the
/// ciphertext carried between them in every kind of split. Each test runs synchronously on one thread and never
/// waits: that the handshake and the reads finish inside the calls that feed them is what the pump promises.
/// </summary>
[Tier(TestTier.Unit)]
public class TlsPumpTests
{
    private static readonly TlsClientOptions Trusting = new() { TrustedRoots = [TestCertificates.Server] };

    /// <summary>Moves everything <paramref name="from"/> has to send into <paramref name="to"/>, in pieces of at most <paramref name="piece"/> bytes.</summary>
    private static int Carry(TlsPump from, TlsPump to, int piece = int.MaxValue)
    {
        int carried = 0;
        while (from.OutgoingCount > 0)
        {
            int n = Math.Min(piece, from.OutgoingCount);
            byte[] bytes = from.Outgoing[..n].ToArray();
            from.Consume(n);
            to.Feed(bytes);
            carried += n;
        }
        return carried;
    }

    private static (TlsPump Client, TlsPump Server) Handshake(int piece = int.MaxValue, TlsClientOptions? client = null)
    {
        TlsPump c = TlsPump.ForClient(client ?? Trusting, "localhost");
        TlsPump s = TlsPump.ForServer(new TlsServerOptions { Certificate = TestCertificates.Server });
        // Each round trip either moves bytes or the conversation has settled; a handshake takes a few flights.
        for (int round = 0; round < 10 && Carry(c, s, piece) + Carry(s, c, piece) > 0; round++)
        {
        }
        return (c, s);
    }

    private static byte[] ReadAll(TlsPump pump)
    {
        var received = new List<byte>();
        while (pump.TryRead(out ReadOnlyMemory<byte> piece))
        {
            received.AddRange(piece.Span);
        }
        return [.. received];
    }

    public static TheoryData<int> PieceSizes => [1, 2, 3, 5, 64, 1000, 5000, int.MaxValue];

    [Theory]
    [MemberData(nameof(PieceSizes))]
    public void TwoPumpsHandshakeAndCarryBytesBothWaysInAnySplit(int piece)
    {
        (TlsPump client, TlsPump server) = Handshake(piece);
        using (client)
        using (server)
        {
            Assert.True(client.IsAuthenticated, client.HandshakeFailure?.ToString());
            Assert.True(server.IsAuthenticated, server.HandshakeFailure?.ToString());
            // More than one record (16 KiB each) in each direction.
            byte[] request = RandomNumberGenerator.GetBytes(40_000);
            client.Write(request);
            Carry(client, server, piece);
            Assert.Equal(request, ReadAll(server));
            byte[] response = RandomNumberGenerator.GetBytes(20_000);
            server.Write(response);
            Carry(server, client, piece);
            Assert.Equal(response, ReadAll(client));
        }
    }

    [Fact]
    public void ARecordCutAtEveryPositionIsReadOnlyOnceWholeAndThenExactly()
    {
        (TlsPump client, TlsPump server) = Handshake();
        using (client)
        using (server)
        {
            ReadAll(server); // What followed the handshake (TLS 1.3 tickets) is not application data.
            ReadAll(client);
            byte[] message = "Message 1 from client."u8.ToArray();
            client.Write(message);
            int recordLength = client.OutgoingCount;
            Carry(client, server);
            Assert.Equal(message, ReadAll(server));
            Assert.True(recordLength > message.Length);
            foreach ((string name, int[] cuts) in Splits.Of(recordLength))
            {
                client.Write(message);
                byte[] record = client.Outgoing.ToArray();
                client.Consume(record.Length);
                var received = new List<byte>();
                int start = 0;
                foreach (int end in cuts.Append(record.Length))
                {
                    server.Feed(record.AsSpan(start, end - start));
                    start = end;
                    received.AddRange(ReadAll(server));
                    // Nothing before the record's last byte, all of it with that byte.
                    Assert.True((end == record.Length) == (received.Count > 0), $"{name}: {received.Count} bytes after {end} of {record.Length}");
                }
                Assert.True(message.AsSpan().SequenceEqual(received.ToArray()), name);
            }
        }
    }

    [Fact]
    public void CloseSendsCloseNotifyAndThePeerSeesItsPlaintextEnd()
    {
        (TlsPump client, TlsPump server) = Handshake();
        using (client)
        using (server)
        {
            client.Write("last words"u8.ToArray());
            client.Close();
            Carry(client, server, piece: 1);
            Assert.Equal("last words"u8.ToArray(), ReadAll(server));
            Assert.True(server.PeerClosed);
            Assert.False(client.PeerClosed);
            Assert.Throws<InvalidOperationException>(() => client.Write("more"u8.ToArray()));
        }
    }

    [Fact]
    public void TheStreamEndingInsideARecordIsAnError()
    {
        (TlsPump client, TlsPump server) = Handshake();
        using (client)
        using (server)
        {
            ReadAll(server);
            client.Write("cut short"u8.ToArray());
            server.Feed(client.Outgoing[..(client.OutgoingCount - 3)]);
            Assert.False(server.TryRead(out _));
            server.FeedEnd();
            Assert.Throws<IOException>(() => server.TryRead(out _));
        }
    }

    [Fact]
    public void AClientThatDoesNotTrustTheCertificateFailsTheHandshakeWithAnAuthenticationError()
    {
        // The system's roots: the test certificate is self-signed and unknown to them.
        (TlsPump client, TlsPump server) = Handshake(client: new TlsClientOptions());
        using (client)
        using (server)
        {
            Assert.False(client.IsHandshaking);
            Assert.False(client.IsAuthenticated);
            AuthenticationException failure = Assert.IsType<AuthenticationException>(client.HandshakeFailure);
            Assert.Contains("not trusted", TlsStreams.Explain(failure).Text);
            Assert.Throws<InvalidOperationException>(() => client.Write("no"u8.ToArray()));
            // The client judges the certificate once its side of the handshake is done, so the server may have finished
            // its own; either way it gets no plaintext, only the client's alert or the end of the stream.
            Carry(client, server);
            server.FeedEnd();
            Assert.False(server.IsHandshaking);
            // Piece by piece, so plaintext read before a failure is seen too.
            var plaintext = new List<byte>();
            Exception? reading = Record.Exception(() =>
            {
                while (server.TryRead(out ReadOnlyMemory<byte> piece))
                {
                    plaintext.AddRange(piece.Span);
                }
            });
            Assert.Empty(plaintext);
            Assert.True(server.HandshakeFailure is not null || reading is IOException || (server.PeerClosed && reading is null),
                $"handshake failure {server.HandshakeFailure}, reading {reading}");
        }
    }

    [Fact]
    public void AServerWhosePeerHangsUpDuringTheHandshakeFailsIt()
    {
        using TlsPump server = TlsPump.ForServer(new TlsServerOptions { Certificate = TestCertificates.Server });
        Assert.True(server.IsHandshaking);
        server.Feed([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
        Assert.True(server.IsHandshaking);
        server.FeedEnd();
        Assert.False(server.IsHandshaking);
        Assert.IsAssignableFrom<IOException>(server.HandshakeFailure);
    }

    [Fact]
    public void APumpRefusesToBeUsedFromAnotherThread()
    {
        using TlsPump client = TlsPump.ForClient(Trusting, "localhost");
        Exception? seen = null;
        var thread = new Thread(() => seen = Record.Exception(() => client.Feed([1, 2, 3])));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.IsType<InvalidOperationException>(seen);
    }

    [Fact]
    public void TheHandshakeCompletesInsideFeedEvenUnderASynchronizationContext()
    {
        // A UI or test framework's context, captured, would post the SslStream's continuations to another thread.
        SynchronizationContext? saved = SynchronizationContext.Current;
        var posting = new PostingContext();
        SynchronizationContext.SetSynchronizationContext(posting);
        try
        {
            (TlsPump client, TlsPump server) = Handshake();
            using (client)
            using (server)
            {
                Assert.True(client.IsAuthenticated && server.IsAuthenticated);
                client.Write("inline"u8.ToArray());
                Carry(client, server);
                Assert.Equal("inline"u8.ToArray(), ReadAll(server));
            }
            Assert.Same(posting, SynchronizationContext.Current);
            Assert.Equal(0, posting.Posted);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(saved);
        }
    }

    private sealed class PostingContext : SynchronizationContext
    {
        private int _posted;

        public int Posted => Volatile.Read(ref _posted);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posted);
            base.Post(d, state);
        }
    }
}
