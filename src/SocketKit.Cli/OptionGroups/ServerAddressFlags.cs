namespace SocketKit.Cli.OptionGroups;

/// <summary>The server a client command connects to: a host name, an IP address, or unix:PATH (which takes no PORT), and a port.</summary>
/// <param name="Host">As typed; unix:PATH for a Unix domain socket.</param>
/// <param name="Port">The TCP port; the placeholder 0 for a Unix socket.</param>
internal sealed record ServerAddress(string Host, int Port);

/// <summary>
/// HOST PORT of a client command, added in that order where the command's positional arguments begin (so add the
/// group before the command's own arguments).
/// </summary>
/// <param name="optional">Whether both may be left out (the tutorial's 127.0.0.1 65432), as echo-client.py allows.</param>
/// <param name="hostDescription">HOST's description where the command says more than "the server's host".</param>
internal sealed class ServerAddressFlags(bool optional, string? hostDescription = null) : IOptionGroup<ServerAddress>
{
    private readonly Argument<string> _host = WithDescription(CommonOptions.Host(optional, client: true), hostDescription);
    private readonly Argument<int> _port = CommonOptions.Port(optional, client: true);

    public void AddTo(Command command)
    {
        command.Arguments.Add(_host);
        command.Arguments.Add(_port);
    }

    public ServerAddress Read(ParseResult result) => new(result.GetValue(_host)!, result.GetValue(_port));

    private static Argument<string> WithDescription(Argument<string> host, string? description)
    {
        host.Description = description ?? host.Description;
        return host;
    }
}
