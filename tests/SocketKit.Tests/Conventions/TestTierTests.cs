using System.Reflection;

namespace SocketKit.Tests.Conventions;

/// <summary>
/// Every test says what it needs from the machine (its tier, the <c>Category</c> trait): its own External or
/// Privileged attribute, or else its class's <see cref="TierAttribute"/>; and a missing requirement skips, naming it.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class TestTierTests
{
    private const string Absent = "socketkit-test-no-such-program";

    private static IEnumerable<(Type Class, MethodInfo Test)> Tests() =>
        from type in typeof(TestTierTests).Assembly.GetTypes()
        where type.IsClass && !type.IsAbstract
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        where method.IsDefined(typeof(FactAttribute), inherit: true)
        select (type, method);

    /// <summary>The tier a test's own attribute gives it (External and Privileged facts and theories), if any.</summary>
    private static TestTier? OwnTier(MethodInfo test) =>
        test.GetCustomAttribute<FactAttribute>(inherit: true) switch
        {
            ExternalFactAttribute or ExternalTheoryAttribute => TestTier.External,
            PrivilegedFactAttribute or PrivilegedTheoryAttribute => TestTier.Privileged,
            _ => null,
        };

    [Fact]
    public void EveryTestHasATier()
    {
        (Type Class, MethodInfo Test)[] tests = [.. Tests()];
        Assert.True(tests.Length > 100, $"found only {tests.Length} tests"); // The search itself works.
        string[] untiered = [.. tests
            .Where(t => OwnTier(t.Test) is null && t.Class.GetCustomAttribute<TierAttribute>(inherit: true) is null)
            .Select(t => $"{t.Class.FullName}.{t.Test.Name}")];
        Assert.True(untiered.Length == 0, "without a tier ([Tier(...)] on the class, or [ExternalFact]/[PrivilegedFact] on the test):\n"
            + string.Join('\n', untiered));
    }

    [Fact]
    public void NoTestSaysItsCategoryAnyOtherWay()
    {
        // A [Trait("Category", ...)] beside the tier would give a test two categories, and filters would see both.
        string[] doubled = [.. Tests()
            .SelectMany(t => t.Test.CustomAttributes.Concat(ClassAndBases(t.Class).SelectMany(c => c.CustomAttributes)).Select(a => (t, a)))
            .Where(x => x.a.AttributeType == typeof(TraitAttribute) && (string?)x.a.ConstructorArguments[0].Value == TierAttribute.TraitName)
            .Select(x => $"{x.t.Class.FullName}.{x.t.Test.Name}")
            .Distinct()];
        Assert.Empty(doubled);
    }

    private static IEnumerable<Type> ClassAndBases(Type type)
    {
        for (Type? t = type; t is not null; t = t.BaseType) yield return t;
    }

    [Fact]
    public void AClassTierIsOneThatNeedsNothingMissable()
    {
        // External and Privileged come only with the attributes that skip: a class marked so would fail, not skip.
        string[] wrong = [.. typeof(TestTierTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<TierAttribute>(inherit: false)?.Tier is TestTier.External or TestTier.Privileged)
            .Select(t => t.FullName!)];
        Assert.Empty(wrong);
    }

    [Fact]
    public void AMissingProgramSkipsTheTestNamingIt()
    {
        var test = new ExternalFactAttribute("sh", Absent);
        Assert.Contains($"needs {Absent}, which is not an executable on PATH", test.Missing);
        Assert.DoesNotContain("needs sh", test.Missing); // A program every Unix has is found.
        // Where every test must run (scripts/test.sh), nothing is skipped: the test fails instead.
        Assert.Equal(Requirements.RequireAll ? null : test.Missing, test.Skip);
        Assert.Equal(TestTier.External, test.Tier);
    }

    [Fact]
    public void RootIsDetectedFromTheEffectiveUser()
    {
        var test = new PrivilegedTheoryAttribute();
        Assert.Equal(Environment.IsPrivilegedProcess, test.Missing is null);
        Assert.Equal(Requirements.RequireAll ? null : test.Missing, test.Skip);
        Assert.Equal(TestTier.Privileged, test.Tier);
    }
}
