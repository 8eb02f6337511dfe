namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// A test of the <see cref="TestTier.External"/> tier: it runs the named programs, and is skipped, naming the missing
/// ones, where they are not on PATH (a failure instead under <see cref="Requirements.RequireAllVariable"/>=1).
/// </summary>
public sealed class ExternalFactAttribute(string program, params string[] more)
    : TieredFactAttribute(TestTier.External, Requirements.Missing(root: false, [program, .. more]));
