namespace SocketKit.Tests.Support.Tiers;

/// <summary>The theory form of <see cref="PrivilegedFactAttribute"/>: every case is skipped where the tests are not root.</summary>
public sealed class PrivilegedTheoryAttribute(params string[] programs)
    : TieredTheoryAttribute(TestTier.Privileged, Requirements.Missing(root: true, programs));
