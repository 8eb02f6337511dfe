using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>The theory form of <see cref="ExternalFactAttribute"/>: every case is skipped when a program is missing.</summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredTheoryDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ExternalTheoryAttribute : TheoryAttribute
{
    public ExternalTheoryAttribute(string program, params string[] more)
    {
        Missing = Requirements.Missing(root: false, [program, .. more]);
        Skip = Requirements.RequireAll ? null : Missing;
    }

    public TestTier Tier => TestTier.External;

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public string? Missing { get; }
}
