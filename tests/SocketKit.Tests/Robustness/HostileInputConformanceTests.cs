namespace SocketKit.Tests.Robustness;

/// <summary>Every hostile input against a running server of every engine: it ends that connection, says why when it can, and serves the next client.</summary>
[Tier(TestTier.Socket)]
public abstract class HostileInputConformanceTests(EngineKind engine) : EngineSuite(engine)
{
    public static TheoryData<string> Inputs => HostileInputs.Names();

    [Fact]
    public void TheCorpusHoldsAtLeastFortyInputs() => Assert.True(HostileInputs.All.Count >= 40, $"{HostileInputs.All.Count} inputs");

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task AHostileInputEndsOnlyItsConnectionAndTheServerServesTheNextClient(string name)
    {
        HostileInputs.Input input = HostileInputs.Get(name);
        await using SocketServer server = HostileServers.App(Engine);

        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, input.Bytes, halfClose: true);

        List<Message> messages = Splits.Decode(answer, []);
        if (input.Answered)
        {
            Assert.NotEmpty(messages);
            string last = Encoding.UTF8.GetString(messages[^1].Content.Span);
            Assert.StartsWith("{\"result\": \"Error: ", last);
        }
        else
        {
            Assert.Empty(messages);
        }
        await HostileServers.AssertServesAsync(server);
    }
}

public sealed class BlockingHostileInputTests() : HostileInputConformanceTests(EngineKind.Blocking);

public sealed class SelectHostileInputTests() : HostileInputConformanceTests(EngineKind.Select);
