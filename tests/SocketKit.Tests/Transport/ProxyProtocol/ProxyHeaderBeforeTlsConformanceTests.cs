using System.Collections.Concurrent;
using System.Net.Security;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Transport.Tls;
using static SocketKit.Tests.Protocol.Proxy.ProxyFrames;

namespace SocketKit.Tests.Transport.ProxyProtocol;

/// <summary>
/// A TLS server that requires the PROXY protocol reads the header in plain text before the handshake, as HAProxy's
/// send-proxy(-v2) and nginx's proxy_protocol send it in front of a TLS connection they pass through, on every engine:
/// in one piece, split across reads, byte by byte, or in the same segment as the ClientHello.
/// </summary>
[Tier(TestTier.Socket)]
public abstract class ProxyHeaderBeforeTlsConformanceTests(EngineKind engine)
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 56324);

    public static TheoryData<string, string> VersionsAndDeliveries => new()
    {
        { "v1", "whole" }, { "v1", "split" }, { "v1", "byte-by-byte" }, { "v1", "with-the-hello" },
        { "v2", "whole" }, { "v2", "split" }, { "v2", "byte-by-byte" }, { "v2", "with-the-hello" },
    };

    private readonly ConcurrentQueue<ConnectionInfo> _seen = new();
    private readonly ListLogger _log = new();

    private ServerGroup Start(ServerTimeouts? timeouts = null, TimeSpan? handshakeTimeout = null, TimeProvider? time = null)
    {
        AppRouter router = HostileServers.Router();
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = engine,
            Loops = 1,
            Timeouts = handshakeTimeout is { } handshake ? (timeouts ?? ServerTimeouts.Default) with { HandshakeTimeout = handshake } : timeouts ?? ServerTimeouts.Default,
            TimeProvider = time ?? TimeProvider.System,
        };
        var tls = new TlsServerOptions { Certificate = TestCertificates.Server };
        return new ServerBuilder(options)
            .UseTls(tls)
            .RequireProxyProtocol()
            .UseLogger(_log)
            .UseHandler(connection =>
            {
                _seen.Enqueue(connection);
                return new AppServerHandler(router, connection);
            })
            .Start();
    }

    private static byte[] Header(string version, IPEndPoint server) => version == "v1"
        ? V1($"PROXY TCP4 {Client.Address} {server.Address} {Client.Port} {server.Port}\r\n")
        : V2(1, 0x11, Addresses(Client, server));

    [Theory]
    [MemberData(nameof(VersionsAndDeliveries))]
    public async Task TheHeaderInPlainTextBeforeTheHandshakeNamesTheClientToTheHandler(string version, string delivery)
    {
        await using ServerGroup group = Start();
        SocketServer server = group.Servers[0];
        var endPoint = (IPEndPoint)group.LocalEndPoints[0];
        byte[] header = Header(version, endPoint);
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        using Socket socket = await RawClient.ConnectAsync(endPoint);

        Stream wire = new NetworkStream(socket, ownsSocket: false);
        if (delivery == "with-the-hello")
        {
            wire = new HeaderFirstStream(wire, header);
        }
        else
        {
            int[] cuts = delivery switch
            {
                "whole" => [],
                "split" => [header.Length / 2],
                _ => [.. Enumerable.Range(1, header.Length - 1)],
            };
            int sent = 0;
            foreach (ArraySegment<byte> piece in Splits.Pieces(header, cuts))
            {
                socket.Send(piece);
                sent += piece.Count;
                // Each piece is its own read: the server holds it, with no handler, until the header is whole.
                await Eventually.TrueAsync(() => server.Counters.BytesReceived == sent, $"the server reads {sent} bytes of the header");
                if (sent < header.Length)
                {
                    Assert.Empty(_seen);
                }
            }
            // The handler is made for the client the header names, before the handshake begins.
            await Eventually.TrueAsync(() => !_seen.IsEmpty, "the server makes the handler once the header is whole");
        }

        await using var ssl = new SslStream(wire);
        await ssl.AuthenticateAsClientAsync(TrustTheTestCertificate(), timeout.Token);
        ReferenceVector search = ReferenceVectors.Get("search-morpheus");
        await ssl.WriteAsync(search.Request, timeout.Token);
        using var answer = new MemoryStream();
        await ssl.CopyToAsync(answer, timeout.Token); // The tutorial's server closes after its answer.

        Assert.Equal(search.Response, answer.ToArray());
        ConnectionInfo seen = Assert.Single(_seen);
        Assert.Equal(Client, seen.RemoteEndPoint);
        Assert.Equal(endPoint, seen.LocalEndPoint);
        Assert.Equal(socket.LocalEndPoint, seen.ProxyEndPoint);
        Assert.DoesNotContain(_log.Lines, line => line.Contains("Refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATlsClientWithoutAHeaderIsRefusedBeforeTheHandshake()
    {
        await using ServerGroup group = Start();
        SocketServer server = group.Servers[0];
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        using Socket socket = await RawClient.ConnectAsync(group.LocalEndPoints[0]);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));

        // The ClientHello is read as a header, and refused: the connection is closed without a reply.
        await Assert.ThrowsAnyAsync<IOException>(() => ssl.AuthenticateAsClientAsync(TrustTheTestCertificate(), timeout.Token));

        await Eventually.TrueAsync(() => server.Counters.ConnectionsOpen == 0, "the server closes the connection");
        Assert.Empty(_seen);
        Assert.Contains(_log.Lines, line => line.Contains($"Refused connection 1 from {EndPoints.Format(socket.LocalEndPoint!)}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task AHeaderWithoutAHandshakeIsClosedWhenThePeerFinishesAndAHalfHeaderIsRefused(string version)
    {
        await using ServerGroup group = Start();
        var endPoint = (IPEndPoint)group.LocalEndPoints[0];
        byte[] header = Header(version, endPoint);

        // The whole header, then the end of the stream: no TLS, nothing to answer, no refusal.
        Assert.Empty(await RawClient.ExchangeUntilCloseAsync(endPoint, header, halfClose: true));
        Assert.DoesNotContain(_log.Lines, line => line.Contains("Refused", StringComparison.Ordinal));

        // Half a header, then the end of the stream: refused for what is missing.
        Assert.Empty(await RawClient.ExchangeUntilCloseAsync(endPoint, header[..(header.Length / 2)], halfClose: true));
        await Eventually.TrueAsync(() => _log.Lines.Any(line => line.Contains("Truncated", StringComparison.Ordinal)), "the half header is refused");
        Assert.Single(_seen); // The handler of the first connection only: it was made once its header was whole.
    }

    [Fact]
    public async Task TheRequestTimeoutFromTheConnectionsStartBoundsTheHeaderTheHandshakeAndTheFirstRequest()
    {
        const int requestSeconds = 10;
        var time = new FakeTimeProvider();
        // The handshake's and the idle timeouts far from the request timeout, so a close by either fails the range check.
        await using ServerGroup group = Start(new ServerTimeouts { RequestTimeout = TimeSpan.FromSeconds(requestSeconds), IdleTimeout = TimeSpan.FromSeconds(60) },
            handshakeTimeout: TimeSpan.FromSeconds(30), time);
        SocketServer server = group.Servers[0];
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        using Socket socket = await HostileServers.ConnectAcceptedAsync(server);
        socket.Send(Header("v2", (IPEndPoint)group.LocalEndPoints[0]));
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(TrustTheTestCertificate(), timeout.Token);

        // A balancer sends the header at once, the client its handshake, then nothing: the request timeout, not the idle one.
        await HostileServers.AssertClosedByATimeoutAsync(server, time, socket, requestSeconds);
    }

    [Fact]
    public async Task AHeaderWithoutAHandshakeIsClosedByTheHandshakeTimeoutFromTheConnectionsStart()
    {
        const int handshakeSeconds = 5;
        var time = new FakeTimeProvider();
        await using ServerGroup group = Start(new ServerTimeouts { RequestTimeout = TimeSpan.FromSeconds(4 * handshakeSeconds), IdleTimeout = TimeSpan.FromSeconds(60) },
            handshakeTimeout: TimeSpan.FromSeconds(handshakeSeconds), time);
        SocketServer server = group.Servers[0];
        using Socket socket = await HostileServers.ConnectAcceptedAsync(server);
        byte[] header = Header("v1", (IPEndPoint)group.LocalEndPoints[0]);
        socket.Send(header);
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == header.Length, "the server reads the header");

        await HostileServers.AssertClosedByATimeoutAsync(server, time, socket, handshakeSeconds);
    }

    private static SslClientAuthenticationOptions TrustTheTestCertificate() => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString(),
    };

    /// <summary>Writes the header in the same send as the first bytes written through it (the ClientHello), as a balancer may.</summary>
    private sealed class HeaderFirstStream(Stream inner, byte[] header) : Stream
    {
        private byte[]? _header = header;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_header is { } first)
            {
                _header = null;
                return inner.WriteAsync((byte[])[.. first, .. buffer.Span], cancellationToken);
            }
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

public sealed class SelectProxyHeaderBeforeTlsTests() : ProxyHeaderBeforeTlsConformanceTests(EngineKind.Select);

public sealed class BlockingProxyHeaderBeforeTlsTests() : ProxyHeaderBeforeTlsConformanceTests(EngineKind.Blocking);
