using System.Net.Security;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Robustness;

/// <summary>
/// The minimum response rate cuts off a reader that stopped, never one that keeps up: a response that takes
/// several grace periods to read, read far above the minimum rate, arrives whole on every engine, plain and TLS.
/// </summary>
[Tier(TestTier.Socket)]
public class LongResponseTests
{
    private const int ResponseBytes = 8 * 1024 * 1024; // Far more than the kernel's buffers hold for a reader with a 4 KiB window.

    public static TheoryData<EngineKind, bool> Servers => new()
    {
        { EngineKind.Blocking, false }, { EngineKind.Select, false },
        { EngineKind.Blocking, true }, { EngineKind.Select, true },
    };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AReaderThatKeepsUpWithALongResponseIsNotCutOff(EngineKind engine, bool tls)
    {
        var timeouts = new ServerTimeouts { MinDataRateGracePeriod = TimeSpan.FromSeconds(1) };
        await using SocketServer server = HostileServers.App(engine, limits: new ServerLimits { MaxSendBufferBytes = 2 * ResponseBytes }, timeouts: timeouts,
            tls: tls ? new TlsServerOptions { Certificate = TestCertificates.Server } : null);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(server.LocalEndPoint, bound.Token);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls)
        {
            var ssl = new SslStream(stream);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString(),
            }, bound.Token);
            stream = ssl;
        }
        await using (stream)
        {
            await stream.WriteAsync(HostileServers.Request("big", ResponseBytes.ToString()), bound.Token);

            // About 2.5 MB/s, some 10,000 times the minimum rate, for about 3.3 s: three grace periods. The reader
            // has a thread of its own, so a busy thread pool cannot stall it into a slow reader.
            socket.ReceiveTimeout = 30_000;
            var received = new MemoryStream();
            await Task.Factory.StartNew(() =>
            {
                byte[] buffer = new byte[64 * 1024];
                long sincePause = 0;
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    received.Write(buffer, 0, n);
                    sincePause += n;
                    if (sincePause >= 256 * 1024)
                    {
                        sincePause = 0;
                        Thread.Sleep(100);
                    }
                }
            }, bound.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(bound.Token);

            var decoder = new MessageDecoder(new ProtocolLimits { MaxContentBytes = ResponseBytes });

            var bytes = new ReadOnlySequence<byte>(received.ToArray());
            Assert.True(decoder.TryDecode(ref bytes, out Message response), $"no whole response in {received.Length} bytes");
            Assert.Equal(ResponseBytes, response.Content.Length);
            Assert.True(bytes.IsEmpty);
        }
        Assert.Equal(0, server.Counters.ConnectionsCutOff);
    }
}
