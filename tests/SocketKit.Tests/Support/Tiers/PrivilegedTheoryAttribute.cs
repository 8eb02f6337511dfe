using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>The theory form of <see cref="PrivilegedFactAttribute"/>: every case is skipped where the tests are not root.</summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredTheoryDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute(params string[] programs)
    {
        Missing = Requirements.Missing(root: true, programs);
        Skip = Requirements.RequireAll ? null : Missing;
    }

    public TestTier Tier => TestTier.Privileged;

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public string? Missing { get; }
}
