namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// A test of the <see cref="TestTier.Privileged"/> tier: it needs root (network namespaces, raw ICMP sockets) and
/// any programs named, and is skipped, saying which is missing, elsewhere (a failure instead under
/// <see cref="Requirements.RequireAllVariable"/>=1).
/// </summary>
public sealed class PrivilegedFactAttribute(params string[] programs)
    : TieredFactAttribute(TestTier.Privileged, Requirements.Missing(root: true, programs));
