using System.CommandLine.Parsing;
using System.Net;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>Which clients a server serves: --allow and --deny (as ncat's), --max-connections-per-address (as nginx's limit_conn).</summary>
internal sealed class ClientAddressOptions : IOptionGroup<(AddressRules Rules, int? MaxConnectionsPerAddress)>
{
    private readonly Option<IPNetwork[]> _allow = Networks("--allow", "Serve only clients whose address is in this network (CIDR or one address; repeatable).");
    private readonly Option<IPNetwork[]> _deny = Networks("--deny", "Refuse clients whose address is in this network (CIDR or one address; repeatable; wins over --allow).");
    private readonly Option<int?> _perAddress = CommonOptions.OptionalInteger("--max-connections-per-address",
        "The most connections one client address may hold at once; one more is closed at once and counted (default: no limit but --max-connections)", 1);

    public void AddTo(Command command)
    {
        command.Options.Add(_allow);
        command.Options.Add(_deny);
        command.Options.Add(_perAddress);
    }

    /// <summary>The address rules and the per-address limit; both judge the address a PROXY header names, with --proxy-protocol.</summary>
    public (AddressRules Rules, int? MaxConnectionsPerAddress) Read(ParseResult result) => (
        new AddressRules { Allow = result.GetValue(_allow) ?? [], Deny = result.GetValue(_deny) ?? [] },
        result.GetValue(_perAddress));

    private static Option<IPNetwork[]> Networks(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "CIDR",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = result => Parse(result, name),
    };

    private static IPNetwork[] Parse(ArgumentResult result, string name)
    {
        var networks = new List<IPNetwork>(result.Tokens.Count);
        foreach (Token token in result.Tokens)
        {
            try
            {
                networks.Add(AddressRules.ParseNetwork(token.Value));
            }
            catch (FormatException ex)
            {
                result.AddError($"{name} {ValueParsers.Shown(token.Value)}: {ex.Message}.");
            }
        }
        return [.. networks];
    }
}
