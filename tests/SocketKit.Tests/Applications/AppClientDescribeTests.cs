using SocketKit.Tests.Protocol.Differential;

namespace SocketKit.Tests.Applications;

/// <summary>What the client prints for a response, against what the reference client (app-client.py) prints, by oracle.py.</summary>
public sealed class AppClientDescribeTests
{
    [ExternalFact("python3")]
    public async Task TheClientPrintsEveryResponseAsTheReferenceClientDoes()
    {
        int seed = Random.Shared.Next();
        var generator = new RequestGenerator(seed);
        GeneratedRequest[] responses = [.. Enumerable.Range(0, 2000).Select(_ => generator.NextResponse())];
        string?[] reference = await ReferenceOracle.ClientLinesAsync(responses);
        var differences = new List<string>();
        int compared = 0;
        for (int i = 0; i < responses.Length; i++)
        {
            GeneratedRequest r = responses[i];
            string? ours;
            try
            {
                ours = AppClient.Describe(new Message(new MessageHeader(r.ContentType, r.ContentEncoding, r.Content.Length), r.Content));
            }
            catch (ProtocolException)
            {
                ours = null;
            }
            if (reference[i] is { } expected)
            {
                compared++;
                if (ours != expected)
                {
                    differences.Add($"#{i} \"{r.ContentEncoding}\" {Convert.ToHexString(r.Content)} ({r.Description})\n    reference {expected}\n    socketkit {ours ?? "throws"}");
                }
            }
        }
        Assert.True(compared > responses.Length / 2, $"only {compared} of {responses.Length} responses were printed by the reference client");
        Assert.True(differences.Count == 0, $"seed {seed}: {differences.Count} of {compared} responses printed differently:\n{string.Join("\n", differences.Take(10))}");
    }
}
