using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Metrics;

/// <summary>
/// The one table from a close reason to its log text, timeout tag and counter: complete, and the same as the copy in
/// docs/OBSERVABILITY.md, so the docs list exactly what the code emits.
/// </summary>
[Tier(TestTier.Unit)]
public class CloseReasonTableTests
{
    /// <summary>A TLS server with every default bound: the figures the docs show.</summary>
    private static readonly ServerOptions Defaults = new()
    {
        EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        Tls = new TlsServerOptions { Certificate = TestCertificates.Server },
    };

    [Fact]
    public void EveryReasonIsInTheTable() =>
        Assert.Equal(Enum.GetValues<ConnectionCloseReason>().Order(), ConnectionCloseReasons.Table.Keys.Order());

    [Fact]
    public void EveryCounterTheTableNamesIsOneOfTheServersCounters()
    {
        foreach ((ConnectionCloseReason reason, ConnectionCloseReasons.Entry entry) in ConnectionCloseReasons.Table)
        {
            if (CounterName(entry) is { } name)
            {
                Assert.True(typeof(ServerCounters).GetProperty(name) is not null, $"{reason}: ServerCounters has no {name}");
            }
        }
    }

    [Fact]
    public void TimeoutKindsAreDistinctAndEveryTimeoutCountsAsOne()
    {
        string[] kinds = [.. ConnectionCloseReasons.Table.Values.Select(e => e.TimeoutKind).OfType<string>()];
        Assert.Equal(kinds.Distinct(), kinds);
        Assert.All(ConnectionCloseReasons.Table.Where(r => r.Key.ToString().EndsWith("Timeout", StringComparison.Ordinal)),
            r => Assert.NotNull(r.Value.TimeoutKind));
    }

    [Fact]
    public void TheDocsTableIsTheCodesTable()
    {
        string doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "OBSERVABILITY.md"));
        string section = doc[doc.IndexOf("### Why a connection closed", StringComparison.Ordinal)..];
        string[] documented = [.. section.Split('\n')
            .SkipWhile(line => !line.StartsWith("| reason |", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => string.Join(" | ", line.Trim().Trim('|').Split('|').Select(cell => cell.Trim())))];

        string[] code = [.. ConnectionCloseReasons.Table.Select(r =>
            string.Join(" | ", $"`{r.Key}`", r.Key.Describe(Defaults), Code(r.Value.TimeoutKind), Code(CounterName(r.Value))))];

        Assert.Equal(code.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WithoutTheServersOptionsOnlyThePhraseIsSaid()
    {
        Assert.Equal("request timeout", ConnectionCloseReason.RequestTimeout.Describe());
        Assert.Equal($"request timeout: no whole request within {Durations.Format(Defaults.Timeouts.RequestTimeout)}", ConnectionCloseReason.RequestTimeout.Describe(Defaults));
        // A server without TLS has no handshake bound to name.
        Assert.Equal("handshake timeout", ConnectionCloseReason.HandshakeTimeout.Describe(Defaults with { Tls = null }));
    }

    private static string? CounterName(ConnectionCloseReasons.Entry entry) =>
        entry.Counter == ConnectionCloseReasons.Count.None ? null : $"Connections{entry.Counter}";

    private static string Code(string? text) => text is null ? "" : $"`{text}`";
}
