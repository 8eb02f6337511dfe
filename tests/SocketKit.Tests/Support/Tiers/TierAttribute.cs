using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// The tier of every test in a class (its <c>Category</c> trait). A test that needs a program or root says so
/// itself with <see cref="ExternalFactAttribute"/> or <see cref="PrivilegedFactAttribute"/>, whose tier replaces this one.
/// </summary>
[TraitDiscoverer("SocketKit.Tests.Support.Tiers.TierTraitDiscoverer", "SocketKit.Tests")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class TierAttribute(TestTier tier) : Attribute, ITraitAttribute
{
    /// <summary>The trait's name: <c>Category</c>, the name <c>--filter "Category!=Heavy"</c> has always used.</summary>
    public const string TraitName = "Category";

    public TestTier Tier { get; } = tier;
}
