using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// A test of the <see cref="TestTier.External"/> tier: it runs the named programs, and is skipped, naming the missing
/// ones, where they are not on PATH (a failure instead under <see cref="Requirements.RequireAllVariable"/>=1).
/// </summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredFactDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ExternalFactAttribute : FactAttribute
{
    public ExternalFactAttribute(string program, params string[] more)
    {
        Missing = Requirements.Missing(root: false, [program, .. more]);
        Skip = Requirements.RequireAll ? null : Missing;
    }

    public TestTier Tier => TestTier.External;

    /// <summary>Why the test cannot run here, or null when it can.</summary>
    public string? Missing { get; }
}
