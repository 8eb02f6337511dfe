namespace SocketKit.Tests.Support.Tiers;

/// <summary>The theory form of <see cref="ExternalFactAttribute"/>: every case is skipped when a program is missing.</summary>
public sealed class ExternalTheoryAttribute(string program, params string[] more)
    : TieredTheoryAttribute(TestTier.External, Requirements.Missing(root: false, [program, .. more]));
