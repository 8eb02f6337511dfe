using Xunit.Abstractions;
using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>A test whose tier is its own attribute's, in place of its class's (one <c>Category</c> trait per test).</summary>
public sealed class TieredTestCase : XunitTestCase
{
    [Obsolete("For the de-serializer only.")]
    public TieredTestCase()
    {
    }

    public TieredTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod, object[]? testMethodArguments = null)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod, testMethodArguments)
    {
    }

    protected override void Initialize()
    {
        base.Initialize();
        UseTheAttributesTier(this);
    }

    internal static void UseTheAttributesTier(TestMethodTestCase testCase)
    {
        IAttributeInfo fact = testCase.TestMethod.Method.GetCustomAttributes(typeof(FactAttribute)).First();
        testCase.Traits[TierAttribute.TraitName] = [fact.GetNamedArgument<TestTier>("Tier").ToString()];
    }

    /// <summary>Under <see cref="Requirements.RequireAllVariable"/>=1, a test whose requirement is missing: it fails, saying why.</summary>
    internal static IEnumerable<IXunitTestCase>? RefusedWhereAllMustRun(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo attribute)
    {
        string? missing = attribute.GetNamedArgument<string?>("Missing");
        if (missing is null || !Requirements.RequireAll)
        {
            return null;
        }
        string why = $"{missing}; {Requirements.RequireAllVariable}=1 says every test runs here, none is skipped";
        return [new ExecutionErrorTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, why)];
    }
}
