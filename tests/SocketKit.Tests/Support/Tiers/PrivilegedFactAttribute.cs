using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// A test of the <see cref="TestTier.Privileged"/> tier: it needs root (network namespaces, raw ICMP sockets) and
/// any programs named, and is skipped, saying which is missing, elsewhere (a failure instead under
/// <see cref="Requirements.RequireAllVariable"/>=1).
/// </summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredFactDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute(params string[] programs)
    {
        Missing = Requirements.Missing(root: true, programs);
        Skip = Requirements.RequireAll ? null : Missing;
    }

    public TestTier Tier => TestTier.Privileged;

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public string? Missing { get; }
}
