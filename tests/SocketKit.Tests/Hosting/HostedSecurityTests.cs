using System.Net.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SocketKit.Hosting;

namespace SocketKit.Tests.Hosting;

/// <summary>
/// A hosted server's security settings from configuration: mutual TLS, allow and deny, the per-address limit, each
/// mistake named by its key; and the certificate read again when its files change.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class HostedSecurityTests
{
    /// <summary>A host with a server for each name the settings' keys hold (SocketKit:Servers:NAME:...).</summary>
    private static IHost Build(Dictionary<string, string?> settings, out LogCapture log) =>
        TestHosts.Build(settings, services =>
        {
            foreach (string name in settings.Keys.Select(k => k.Split(':')[2]).Distinct())
            {
                services.AddSocketKitServer(name);
            }
        }, out log);

    private static IPEndPoint EndPointOf(IHost host, string name) =>
        (IPEndPoint)host.Services.GetRequiredKeyedService<SocketKitHostedServer>(name).LocalEndPoints.Single();

    [Fact]
    public async Task MutualTlsAndAddressRulesComeFromConfiguration()
    {
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:mutual:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:mutual:Tls:CertificatePath"] = TestPki.Server.CertificatePath,
            ["SocketKit:Servers:mutual:Tls:KeyPath"] = TestPki.Server.KeyPath,
            ["SocketKit:Servers:mutual:Tls:ClientCertificateAuthorityPath"] = TestPki.Ca.CertificatePath,
            ["SocketKit:Servers:mutual:Allow:0"] = "127.0.0.0/8",
            ["SocketKit:Servers:mutual:Limits:MaxConnectionsPerAddress"] = "4",
            ["SocketKit:Servers:denied:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:denied:Deny:0"] = "127.0.0.1",
        }, out LogCapture log);
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);

        IPEndPoint mutual = EndPointOf(host, "mutual");
        var tls = new SocketKit.Applications.ClientOptions
        {
            Tls = new SocketKit.Transport.Tls.TlsClientOptions
            {
                TrustedRoots = SocketKit.Transport.Tls.TlsClientOptions.LoadTrustedRoots(TestPki.Ca.CertificatePath),
                ClientCertificate = TestPki.Client.Certificate,
            },
        };
        Message answer = await AppClient.RequestAsync("127.0.0.1", mutual.Port, AppRequests.Json("search", "morpheus"), tls).WaitAsync(TestTimeouts.Limit);
        Assert.Contains("Follow the white rabbit", Encoding.UTF8.GetString(answer.Content.Span));
        Assert.Contains(log.Lines, l => l.Contains("presented the client certificate CN=alice (issued by CN=SocketKit Test CA)", StringComparison.Ordinal));

        var without = tls with { Tls = tls.Tls with { ClientCertificate = null } };
        NetworkException refused = await Assert.ThrowsAsync<NetworkException>(() => AppClient.RequestAsync("127.0.0.1", mutual.Port, AppRequests.Json("search", "morpheus"), without).WaitAsync(TestTimeouts.Limit));
        Assert.Contains("the server requires a client certificate issued by CN=SocketKit Test CA, and none was given", refused.Message);

        Assert.Empty(await RawClientOrReset(EndPointOf(host, "denied")));
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Contains("Refused a connection from 127.0.0.1:", StringComparison.Ordinal)), "the refusal logged");
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public async Task ABadRuleOrLimitIsNamedByItsKey()
    {
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:app:Allow:0"] = "10.0.0.0/8",
            ["SocketKit:Servers:app:Allow:1"] = "intranet",
            ["SocketKit:Servers:app:Deny:0"] = "::1/129",
            ["SocketKit:Servers:app:Limits:MaxConnectionsPerAddress"] = "0",
        }, out _);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(TestTimeouts.Limit));
        string message = string.Join('\n', error.Failures);
        Assert.Contains("SocketKit:Servers:app:Allow:1: intranet is not an address or a network in CIDR notation", message);
        Assert.Contains("SocketKit:Servers:app:Deny:0: ::1/129 is not an address or a network in CIDR notation", message);
        Assert.Contains("SocketKit:Servers:app:Limits:MaxConnectionsPerAddress: 0 must be at least 1", message);
        Assert.Equal(3, error.Failures.Count());
    }

    [Fact]
    public async Task TheCertificateIsReadAgainWhenItsFilesChange()
    {
        (string certificate, string key) = TestPki.CopyOfServer();
        using IHost host = Build(new()
        {
            ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0",
            ["SocketKit:Servers:app:Tls:CertificatePath"] = certificate,
            ["SocketKit:Servers:app:Tls:KeyPath"] = key,
        }, out LogCapture log);
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        IPEndPoint server = EndPointOf(host, "app");
        Assert.Equal("CN=localhost", await SubjectAsync(server));

        TestPki.Pair renewed = TestPki.NewServer("renewed.localhost");
        TestPki.WriteOver(renewed, certificate, key);
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Contains("Reloaded the TLS certificate from", StringComparison.Ordinal) && l.Contains("CN=renewed.localhost", StringComparison.Ordinal)),
            "the renewed certificate read", TestTimeouts.Limit);
        Assert.Equal("CN=renewed.localhost", await SubjectAsync(server));
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    private static async Task<string> SubjectAsync(IPEndPoint server)
    {
        using Socket socket = await RawClient.ConnectAsync(server);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        using var cts = new CancellationTokenSource(TestTimeouts.Limit);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }, cts.Token);
        return ssl.RemoteCertificate!.Subject;
    }

    private static async Task<byte[]> RawClientOrReset(EndPoint endPoint)
    {
        try
        {
            return await RawClient.ExchangeUntilCloseAsync(endPoint, "hi"u8.ToArray());
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return [];
        }
    }
}
