using System.CommandLine.Parsing;

namespace SocketKit.Cli.OptionGroups;

/// <summary>
/// Which clients a server serves: --allow and --deny (as ncat's). Lists of networks, not one value, so they are options
/// of their own rather than settings of the model; the per-address limit (as nginx's limit_conn) is a setting,
/// --max-connections-per-address.
/// </summary>
internal sealed class ClientAddressFlags : IOptionGroup<AddressRules>
{
    private readonly Option<IPNetwork[]> _allow = Networks("--allow", "Serve only clients whose address is in this network (CIDR or one address; repeatable).");
    private readonly Option<IPNetwork[]> _deny = Networks("--deny", "Refuse clients whose address is in this network (CIDR or one address; repeatable; wins over --allow).");

    public void AddTo(Command command)
    {
        command.Options.Add(_allow);
        command.Options.Add(_deny);
    }

    /// <summary>The address rules; they judge the address a PROXY header names, with --proxy-protocol.</summary>
    public AddressRules Read(ParseResult result) => new() { Allow = result.GetValue(_allow) ?? [], Deny = result.GetValue(_deny) ?? [] };

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
