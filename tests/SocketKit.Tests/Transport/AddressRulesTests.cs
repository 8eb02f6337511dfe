namespace SocketKit.Tests.Transport;

/// <summary>Address rules as ncat's --allow and --deny: IPv4, IPv6, an IPv4 client on a dual-stack listener, deny wins.</summary>
[Tier(TestTier.Unit)]
public class AddressRulesTests
{
    private static AddressRules Rules(string[] allow, string[] deny) =>
        new() { Allow = [.. allow.Select(AddressRules.ParseNetwork)], Deny = [.. deny.Select(AddressRules.ParseNetwork)] };

    [Theory]
    [InlineData(new string[0], new string[0], "192.0.2.7", true)]
    [InlineData(new[] { "192.0.2.0/24" }, new string[0], "192.0.2.7", true)]
    [InlineData(new[] { "192.0.2.0/24" }, new string[0], "198.51.100.7", false)]
    [InlineData(new[] { "192.0.2.0/24" }, new[] { "192.0.2.7" }, "192.0.2.7", false)]
    [InlineData(new[] { "192.0.2.0/24" }, new[] { "192.0.2.7" }, "192.0.2.8", true)]
    [InlineData(new string[0], new[] { "10.0.0.0/8" }, "10.200.1.1", false)]
    [InlineData(new string[0], new[] { "10.0.0.0/8" }, "11.0.0.1", true)]
    [InlineData(new[] { "2001:db8::/32" }, new string[0], "2001:db8:1::5", true)]
    [InlineData(new[] { "2001:db8::/32" }, new string[0], "2001:db9::5", false)]
    [InlineData(new string[0], new[] { "::1" }, "::1", false)]
    [InlineData(new[] { "192.0.2.0/24" }, new string[0], "::ffff:192.0.2.7", true)]
    [InlineData(new string[0], new[] { "127.0.0.0/8" }, "::ffff:127.0.0.1", false)]
    [InlineData(new[] { "192.0.2.0/24" }, new string[0], "2001:db8::1", false)]
    public void AnAddressIsServedWhenAllowedAndNotDenied(string[] allow, string[] deny, string address, bool served)
    {
        Assert.Equal(served, Rules(allow, deny).Admits(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    public void ANetworkIsCidrOrOneAddress(string text, string network)
    {
        Assert.Equal(network, AddressRules.ParseNetwork(text).ToString());
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("192.0.2.0/33")]
    [InlineData("192.0.2.0/")]
    [InlineData("")]
    public void AnythingElseIsRefusedInWords(string text)
    {
        FormatException refused = Assert.Throws<FormatException>(() => AddressRules.ParseNetwork(text));
        Assert.Contains("is not an address or a network in CIDR notation", refused.Message);
    }
}
