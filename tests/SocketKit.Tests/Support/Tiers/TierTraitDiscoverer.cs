using Xunit.Abstractions;
using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>Turns a <see cref="TierAttribute"/> into the <c>Category</c> trait that test filters read.</summary>
public sealed class TierTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new(TierAttribute.TraitName, traitAttribute.GetNamedArgument<TestTier>(nameof(TierAttribute.Tier)).ToString())];
}
