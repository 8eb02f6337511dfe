using Xunit.Abstractions;
using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>A theory enumerated when it runs, with its own attribute's tier (see <see cref="TieredTestCase"/>).</summary>
public sealed class TieredTheoryTestCase : XunitTheoryTestCase
{
    [Obsolete("For the de-serializer only.")]
    public TieredTheoryTestCase()
    {
    }

    public TieredTheoryTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override void Initialize()
    {
        base.Initialize();
        TieredTestCase.UseTheAttributesTier(this);
    }
}
