using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// The theory form of <see cref="TieredFactAttribute"/>: every case is skipped when a requirement is missing. As xunit's
/// own <see cref="TheoryAttribute"/> is a fact with the theory's discoverer, this is a tiered fact with the tiered
/// theory's discoverer, so the tier and the requirement are kept in one place.
/// </summary>
[XunitTestCaseDiscoverer("SocketKit.Tests.Support.Tiers.TieredTheoryDiscoverer", "SocketKit.Tests")]
public abstract class TieredTheoryAttribute(TestTier tier, string? missing) : TieredFactAttribute(tier, missing);
