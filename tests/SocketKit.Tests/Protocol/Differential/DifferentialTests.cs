using System.Globalization;
using Xunit.Abstractions;

namespace SocketKit.Tests.Protocol.Differential;

/// <summary>
/// SocketKit against the reference's own rules, run by Python (oracle.py): 10,000 seeded requests, and every
/// answer the reference gives must be SocketKit's, byte for byte, from the sans-I/O handler and from a live
/// server of every engine. Where the reference raises or never answers (PROTOCOL.md, "Flaws of the reference")
/// SocketKit must still answer with one whole message. A failure names its seed: set
/// SOCKETKIT_DIFFERENTIAL_SEED to it to replay the same requests.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    private const int Count = 10_000;

    private static readonly Lazy<Task<Corpus>> Shared = new(() => Corpus.CreateAsync(SeedFromEnvironment(), Count));

    public static TheoryData<EngineKind> Engines => TestServers.Engines;

    [ExternalFact("python3")]
    public async Task TheSansIoHandlerAnswersEveryRequestAsTheReferenceDoes()
    {
        Corpus corpus = await Shared.Value;
        var answers = new byte[corpus.Requests.Length][];
        for (int i = 0; i < answers.Length; i++)
        {
            answers[i] = AnswerWithoutSocket(corpus.Requests[i].Encode());
        }
        corpus.AssertSame(answers, "the sans-I/O handler", output);
    }

    [ExternalTheory("python3")]
    [MemberData(nameof(Engines))]
    public async Task EveryEngineAnswersEveryRequestAsTheReferenceDoes(EngineKind engine)
    {
        Corpus corpus = await Shared.Value;
        await using SocketServer server = TestServers.App(engine);
        var answers = new byte[corpus.Requests.Length][];
        await Parallel.ForAsync(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            answers[i] = await TestTransport.Ipv4.ExchangeUntilCloseAsync(server, corpus.Requests[i].Encode()));
        corpus.AssertSame(answers, $"the {engine} engine", output);
    }

    /// <summary>What the server's connection handler sends for one connection that carries these bytes, then closes.</summary>
    private static byte[] AnswerWithoutSocket(byte[] request)
    {
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        var data = new ReadOnlySequence<byte>(request);
        if (handler.OnData(ref data, output) == NextStep.Receive)
        {
            handler.OnPeerClosed(data, output);
        }
        return output.WrittenSpan.ToArray();
    }

    private static int SeedFromEnvironment() =>
        Environment.GetEnvironmentVariable("SOCKETKIT_DIFFERENTIAL_SEED") is { Length: > 0 } seed
            ? int.Parse(seed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();

    private sealed record Corpus(int Seed, GeneratedRequest[] Requests, ReferenceAnswer[] Reference)
    {
        public static async Task<Corpus> CreateAsync(int seed, int count)
        {
            GeneratedRequest[] requests = [.. new RequestGenerator(seed).Generate(count)];
            return new Corpus(seed, requests, await ReferenceOracle.AnswerAsync(requests));
        }

        public void AssertSame(byte[][] answers, string who, ITestOutputHelper output)
        {
            var failures = new List<string>();
            int answered = 0, raises = 0, never = 0;
            for (int i = 0; i < Requests.Length; i++)
            {
                ReferenceAnswer reference = Reference[i];
                if (reference.Response is { } expected)
                {
                    answered++;
                    if (!expected.AsSpan().SequenceEqual(answers[i]))
                    {
                        failures.Add(Describe(i, $"reference {Text(expected)}\n    socketkit {Text(answers[i])}"));
                    }
                    continue;
                }
                if (reference.NeverAnswers) never++;
                else raises++;
                // Where the reference fails, SocketKit says something: exactly one whole message.
                if (Splits.Decode(answers[i], []).Count != 1)
                {
                    failures.Add(Describe(i, $"reference {reference}, socketkit sent {answers[i].Length} bytes that are not one message"));
                }
            }
            output.WriteLine($"seed {Seed}: {Requests.Length} requests to {who}; the reference answers {answered}, raises on {raises} ("
                + string.Join(", ", Reference.Where(r => r.Raises is not null).GroupBy(r => r.Raises).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))
                + $"), never answers {never}; {failures.Count} differences");
            Assert.True(failures.Count == 0,
                $"{failures.Count} of {Requests.Length} requests answered differently by {who} (seed {Seed}; replay with SOCKETKIT_DIFFERENTIAL_SEED={Seed}):\n"
                + string.Join("\n", failures.Take(15)));
        }

        private string Describe(int i, string what)
        {
            GeneratedRequest r = Requests[i];
            return $"  #{i} {r.ContentType} \"{r.ContentEncoding}\" content {Convert.ToHexString(r.Content)}\n    ({r.Description})\n    {what}";
        }

        private static string Text(byte[] message) => Encoding.UTF8.GetString(message.Length > 2 ? message.AsSpan(2) : message);
    }
}
