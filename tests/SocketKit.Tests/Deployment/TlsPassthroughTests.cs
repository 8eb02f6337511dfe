using System.Collections.Concurrent;
using System.Text.Json;
using SocketKit.Applications;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Deployment;

/// <summary>
/// Debian's HAProxy on loopback in TCP mode, passing TLS through (send-proxy-v2) to a SocketKit app server that serves
/// TLS and requires the PROXY protocol, driven with haproxy-tls.cfg in this folder: the header comes in plain text
/// before the ClientHello, and the server reads it there.
/// </summary>
public class TlsPassthroughTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    [ExternalFact("haproxy")]
    public async Task ATlsClientThroughHaproxyIsServedAndTheServerSeesItsAddress()
    {
        var seen = new ConcurrentQueue<ConnectionInfo>();
        AppRouter router = new AppRouter().MapAction("search", request =>
        {
            ConnectionInfo connection = request.Connection!;
            seen.Enqueue(connection);
            return AppResponse.Result(EndPoints.Format(connection.RemoteEndPoint));
        });
        await using ServerGroup server = new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) })
            .UseTls(new TlsServerOptions { Certificate = TestCertificates.Server })
            .RequireProxyProtocol()
            .UseHandler(connection => new AppServerHandler(router, connection))
            .Start();

        string directory = Directory.CreateTempSubdirectory("socketkit-haproxy-tls-").FullName;
        try
        {
            int frontend = Ports.Free();
            string template = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Deployment", "haproxy-tls.cfg"));
            string config = Path.Combine(directory, "haproxy.cfg");
            await File.WriteAllTextAsync(config, template.Replace("{{FRONTEND}}", $"127.0.0.1:{frontend}")
                .Replace("{{APP1}}", EndPoints.Format(server.LocalEndPoints[0])));
            await using ExternalServer haproxy = await ExternalServer.StartAsync("haproxy", ["-db", "-f", config],
                new IPEndPoint(IPAddress.Loopback, frontend), StartTimeout);

            var tls = new ClientOptions { Tls = new TlsClientOptions { TrustedRoots = [TestCertificates.Server] } };
            var clients = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                await using AppClient client = await AppClient.ConnectAsync("127.0.0.1", frontend, tls);
                Message response = await client.SendAsync(AppRequests.Json("search", "whoami"));
                string result = JsonDocument.Parse(response.Content).RootElement.GetProperty("result").GetString()!;
                // The server names this client's end of its connection to HAProxy, not HAProxy's end of its own.
                Assert.True(EndPoints.Format(client.LocalEndPoint) == result, $"{result} is not {client.LocalEndPoint}\n{haproxy.Output}");
                clients.Add(result);
            }

            Assert.Equal(clients, seen.Select(c => EndPoints.Format(c.RemoteEndPoint)));
            Assert.All(seen, c => Assert.NotEqual(c.RemoteEndPoint, c.ProxyEndPoint));
            Assert.All(seen, c => Assert.Equal(IPAddress.Loopback, ((IPEndPoint)c.ProxyEndPoint!).Address));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
