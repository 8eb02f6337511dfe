using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// A test whose tier is its own (<see cref="ExternalFactAttribute"/>, <see cref="PrivilegedFactAttribute"/>): skipped
/// where what it needs is missing, a failure instead under <see cref="Requirements.RequireAllVariable"/>=1.
/// </summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredFactDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public abstract class TieredFactAttribute : FactAttribute
{
    protected TieredFactAttribute(TestTier tier, string? missing)
    {
        Tier = tier;
        Missing = missing;
        Skip = Requirements.RequireAll ? null : missing;
    }

    public TestTier Tier { get; }

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public string? Missing { get; }
}
