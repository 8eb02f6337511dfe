using SocketKit.Diagnostics.Bench;

namespace SocketKit.Tests.Diagnostics;

/// <summary>The load generator as a library over TLS: with no server name given, the certificate is checked against the address it loads.</summary>
[Tier(TestTier.Socket)]
public class LoadGeneratorOverTlsTests
{
    [Fact]
    public async Task WithoutAServerNameTheCertificateIsCheckedAgainstTheAddress()
    {
        await using SocketServer server = TestServers.App(EngineKind.Select, transport: TestTransport.Tls);
        var options = new BenchOptions
        {
            Kind = BenchKind.App,
            EndPoint = new IPEndPoint(IPAddress.Loopback, server.Port()),
            Tls = TestTransport.Tls.Client.Tls, // Trusts the test CA, names no server: the certificate carries 127.0.0.1.
            Connections = 2,
            Requests = 20,
            Duration = TimeSpan.FromSeconds(20),
            Verify = true,
        };
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Empty(r.Errors);
        Assert.Equal(options.Requests, r.Completed);
    }
}
