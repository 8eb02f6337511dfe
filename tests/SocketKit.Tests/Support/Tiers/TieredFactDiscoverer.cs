using Xunit.Abstractions;
using Xunit.Sdk;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// Finds the tests of <see cref="ExternalFactAttribute"/> and <see cref="PrivilegedFactAttribute"/>: each carries its
/// attribute's tier, and fails, saying what is missing, where every test must run.
/// </summary>
public sealed class TieredFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        TieredTestCase.RefusedWhereAllMustRun(DiagnosticMessageSink, discoveryOptions, testMethod, factAttribute)
            ?? base.Discover(discoveryOptions, testMethod, factAttribute);

    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new TieredTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}
