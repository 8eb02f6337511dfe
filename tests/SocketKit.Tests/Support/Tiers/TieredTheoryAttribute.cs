using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>The theory form of <see cref="TieredFactAttribute"/>: every case is skipped when a requirement is missing.</summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredTheoryDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public abstract class TieredTheoryAttribute : TheoryAttribute
{
    protected TieredTheoryAttribute(TestTier tier, string? missing)
    {
        Tier = tier;
        Missing = missing;
        Skip = Requirements.RequireAll ? null : missing;
    }

    public TestTier Tier { get; }

    /// <inheritdoc cref="TieredFactAttribute.Missing"/>
    public string? Missing { get; }
}
