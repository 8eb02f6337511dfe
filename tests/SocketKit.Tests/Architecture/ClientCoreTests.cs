using Mono.Cecil;
using SocketKit.Applications.MultiConn;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Architecture;

/// <summary>
/// The clients that say they run on the connection core every client and server shares do, in the compiled code: their
/// bytes go through a <see cref="ClientChannel"/> (with TLS its <c>TlsLayer</c> over a <see cref="TlsPump"/>), and no
/// stream of their own (an <c>SslStream</c>, a <c>NetworkStream</c>) carries them.
/// </summary>
[Tier(TestTier.Unit)]
public class ClientCoreTests
{
    private static readonly string[] Streams =
    [
        "System.IO.Stream",
        "System.Net.Sockets.NetworkStream",
        "System.Net.Security.SslStream",
        "SocketKit.Applications.ClientStreams",
    ];

    public static TheoryData<Type> CoreClients => [typeof(AppClient), typeof(MultiConnClient)];

    [Theory]
    [MemberData(nameof(CoreClients))]
    public void TheClientsBytesTakeTheSharedChannelAndNoStreamOfItsOwn(Type client)
    {
        using ModuleDefinition module = ModuleDefinition.ReadModule(client.Assembly.Location);
        TypeDefinition type = module.GetType(client.FullName!);
        // Its nested types too: lambdas' closures and async methods' state machines hold what its methods do.
        List<TypeUse> uses = [.. WithNested(type).SelectMany(TypeReferences.Of)];

        List<string> streams = [.. uses.Where(use => Streams.Contains(use.Used.FullName)).Select(use => $"{use.User.FullName} uses {use.Used.FullName} in {use.Where}").Distinct()];
        Assert.True(streams.Count == 0, string.Join("\n", streams));
        Assert.Contains(uses, use => use.Used.FullName == typeof(ClientChannel).FullName);
        Assert.Contains(uses, use => use.Used.FullName == typeof(TlsPump).FullName);
    }

    [Fact]
    public void TheCheckSeesAStreamInAnAsyncMethodOfAClientThatStillUsesOne()
    {
        // EchoClient, a blocking tutorial program, still talks over ClientStreams' stream: the check must see it.
        using ModuleDefinition module = ModuleDefinition.ReadModule(typeof(SocketKit.Applications.Echo.EchoClient).Assembly.Location);
        TypeDefinition type = module.GetType(typeof(SocketKit.Applications.Echo.EchoClient).FullName!);
        Assert.Contains(WithNested(type).SelectMany(TypeReferences.Of), use => Streams.Contains(use.Used.FullName) && use.User != type);
    }

    private static IEnumerable<TypeDefinition> WithNested(TypeDefinition type) => [type, .. type.NestedTypes.SelectMany(WithNested)];
}
