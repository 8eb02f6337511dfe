using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SocketKit.Hosting;

namespace SocketKit.Tests.Hosting;

/// <summary>Hosted handlers that take services, as minimal APIs' do, with a dependency-injection scope per request.</summary>
[Tier(TestTier.Socket)]
public sealed class HostedHandlerTests
{
    /// <summary>A singleton, as a store or a client of another service would be.</summary>
    public sealed class Catalogue
    {
        public async Task<string?> FindAsync(string key, CancellationToken cancel)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancel); // As a database's round trip.
            return key == "ring" ? "In a cave." : null;
        }
    }

    /// <summary>A scoped service: one per request, disposed when its request is answered.</summary>
    public sealed class RequestScope : IDisposable
    {
        private static int s_next;

        public static ConcurrentBag<int> Disposed { get; } = [];

        public int Number { get; } = Interlocked.Increment(ref s_next);

        public void Dispose() => Disposed.Add(Number);
    }

    /// <summary>A handler class, made per request with its services.</summary>
    public sealed class LookupHandler(Catalogue catalogue, RequestScope scope) : IAppActionHandler
    {
        public async ValueTask<AppResponse> HandleAsync(AppRequest request, CancellationToken cancel) =>
            AppResponse.Result($"{await catalogue.FindAsync(request.Value?.GetString() ?? "", cancel) ?? "nothing"} (scope {scope.Number})");
    }

    [Fact]
    public async Task HandlersTakeServicesFromAScopeMadeForEachRequestAndAwait()
    {
        using IHost host = Build(services =>
        {
            services.AddSingleton<Catalogue>();
            services.AddScoped<RequestScope>();
            services.AddSocketKitServer("app")
                .MapAction("find", async (AppRequest request, Catalogue catalogue, RequestScope scope, CancellationToken cancel) =>
                    $"{await catalogue.FindAsync(request.Value?.GetString() ?? "", cancel) ?? "nothing"} (scope {scope.Number})")
                .MapAction<LookupHandler>("lookup");
        });
        await host.StartAsync().WaitAsync(TestTimeouts.Limit);
        EndPoint endPoint = host.Services.GetRequiredKeyedService<SocketKitHostedServer>("app").LocalEndPoints[0];

        string first = await AskAsync(endPoint, "find", "ring");
        string second = await AskAsync(endPoint, "find", "ring");
        string third = await AskAsync(endPoint, "lookup", "sword");
        Assert.StartsWith("In a cave. (scope ", first, StringComparison.Ordinal);
        Assert.StartsWith("In a cave. (scope ", second, StringComparison.Ordinal);
        Assert.StartsWith("nothing (scope ", third, StringComparison.Ordinal);
        int[] scopes = [.. new[] { first, second, third }.Select(ScopeNumber)];
        Assert.Equal(3, scopes.Distinct().Count());
        await Eventually.TrueAsync(() => scopes.All(RequestScope.Disposed.Contains), "each request's scope is disposed after its answer");
        await host.StopAsync().WaitAsync(TestTimeouts.Limit);
    }

    [Fact]
    public async Task AHandlerThatTakesAnUnregisteredServiceFailsTheStartNamingIt()
    {
        using IHost host = Build(services => services.AddSocketKitServer("app")
            .MapAction("find", (AppRequest request, Catalogue catalogue) => AppResponse.Result("never")));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(TestTimeouts.Limit));
        Assert.Contains("The handler of action 'find' takes 'catalogue' of type Catalogue, which is no registered service", failure.Message, StringComparison.Ordinal);
    }

    private static int ScopeNumber(string answer) =>
        int.Parse(answer[(answer.LastIndexOf(' ') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);

    private static IHost Build(Action<IServiceCollection> register) =>
        TestHosts.Build(new() { ["SocketKit:Servers:app:Endpoints:0"] = "127.0.0.1:0" }, register);

    private static async Task<string> AskAsync(EndPoint endPoint, string action, string value)
    {
        var ip = (IPEndPoint)endPoint;
        Message answer = await AppClient.RequestAsync(ip.Address.ToString(), ip.Port, AppRequests.Json(action, value)).WaitAsync(TestTimeouts.Limit);
        using JsonDocument reply = JsonContent.Parse(answer.Content, answer.Header.ContentEncoding);
        return reply.RootElement.GetProperty("result").GetString()!;
    }
}
