using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using SocketKit.Transport.ProxyProtocol;

namespace SocketKit.Tests.Deployment;

/// <summary>
/// A real load balancer (Debian's HAProxy, nginx's stream module) on loopback in front of two SocketKit app servers
/// that require the PROXY protocol, driven with the configs in this folder (the ones docs/DEPLOYMENT.md shows).
/// </summary>
public class LoadBalancerTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    /// <summary>An app server that answers "whoami" with its name and the client it saw, and "morpheus" as the tutorial does (the health check).</summary>
    private sealed class Backend : IAsyncDisposable
    {
        private Backend(string name)
        {
            Name = name;
            AppRouter router = new AppRouter().MapAction("search", request =>
            {
                if (request.Value?.GetString() != "whoami")
                {
                    return TutorialHandlers.Search(request);
                }
                ConnectionInfo connection = request.Connection!;
                Seen.Enqueue(connection);
                string via = connection.ProxyEndPoint is null ? "direct" : EndPoints.Format(connection.ProxyEndPoint);
                return AppResponse.Result($"{Name} saw {connection.Remote} via {via}");
            });
            Server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
                ProxyProtocolHandler.Require(connection => new AppServerHandler(router, connection)));
        }

        public string Name { get; }
        public SocketServer Server { get; }
        public ConcurrentQueue<ConnectionInfo> Seen { get; } = new();
        public string Address => EndPoints.Format(Server.LocalEndPoint);

        public static Backend Start(string name) => new(name);

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<ExternalServer> StartBalancerAsync(string kind, string directory, int frontendPort, Backend app1, Backend app2)
    {
        string template = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Deployment", kind == "haproxy" ? "haproxy.cfg" : "nginx.conf"));
        string config = template.Replace("{{DIR}}", directory).Replace("{{FRONTEND}}", $"127.0.0.1:{frontendPort}")
            .Replace("{{APP1}}", app1.Address).Replace("{{APP2}}", app2.Address);
        string path = Path.Combine(directory, kind == "haproxy" ? "haproxy.cfg" : "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        string[] args = kind == "haproxy"
            ? ["-db", "-f", path]
            : ["-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", path, "-g", "daemon off;"];
        return await ExternalServer.StartAsync(kind, args, new IPEndPoint(IPAddress.Loopback, frontendPort), StartTimeout);
    }

    private static readonly Regex Answer = new(@"^(app\d) saw (127\.0\.0\.1:\d+) via (127\.0\.0\.1:\d+)$");

    [ExternalTheory("haproxy", "nginx", "python3")]
    [InlineData("haproxy")]
    [InlineData("nginx")]
    public async Task RequestsThroughTheBalancerReachBothServersWhichSeeTheClientsAddress(string kind)
    {
        string directory = Directory.CreateTempSubdirectory($"socketkit-{kind}-").FullName;
        try
        {
            await using Backend app1 = Backend.Start("app1");
            await using Backend app2 = Backend.Start("app2");
            int frontend = Ports.Free();
            await using ExternalServer balancer = await StartBalancerAsync(kind, directory, frontend, app1, app2);

            // SocketKit's client: the server must name exactly this client's end of its connection to the balancer.
            var socketKitBackends = new HashSet<string>();
            for (int i = 0; i < 4; i++)
            {
                await using AppClient client = await AppClient.ConnectAsync("127.0.0.1", frontend);
                Message response = await client.SendAsync(AppRequests.Json("search", "whoami"));
                string result = JsonDocument.Parse(response.Content).RootElement.GetProperty("result").GetString()!;
                Match m = Answer.Match(result);
                Assert.True(m.Success, $"{result}\n{balancer.Output}");
                Assert.Equal(EndPoints.Format(client.LocalEndPoint), m.Groups[2].Value);
                Assert.NotEqual(m.Groups[2].Value, m.Groups[3].Value);
                socketKitBackends.Add(m.Groups[1].Value);
            }
            Assert.Equal(["app1", "app2"], socketKitBackends.Order());

            // The Python peer: its address is not the balancer's end of the server's connection.
            var pythonBackends = new HashSet<string>();
            for (int i = 0; i < 4; i++)
            {
                var (code, output, error) = await PythonPeer.RunAsync("app-client", "127.0.0.1", frontend.ToString(), "search", "whoami");
                Assert.True(code == 0, $"{error}\n{balancer.Output}");
                Match m = Answer.Match(output.Trim().Replace("Got result: ", ""));
                Assert.True(m.Success, output);
                Assert.NotEqual(m.Groups[2].Value, m.Groups[3].Value);
                pythonBackends.Add(m.Groups[1].Value);
            }
            Assert.Equal(["app1", "app2"], pythonBackends.Order());

            // Every relayed request the servers handled came with the balancer's address kept apart from the client's.
            ConnectionInfo[] seen = [.. app1.Seen, .. app2.Seen];
            Assert.Equal(8, seen.Length);
            Assert.All(seen, c => Assert.NotNull(c.ProxyEndPoint));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
