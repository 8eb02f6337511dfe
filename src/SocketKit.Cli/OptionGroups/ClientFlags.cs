namespace SocketKit.Cli.OptionGroups;

/// <summary>The flags every client command takes, the same everywhere: --connect-timeout, --timeout and the TLS options.</summary>
internal sealed class ClientFlags : IOptionGroup<ClientOptions>
{
    private readonly Option<TimeSpan> _connectTimeout = CommonOptions.ConnectTimeout();
    private readonly Option<TimeSpan> _timeout = CommonOptions.Timeout();
    private readonly ClientTlsFlags _tls = new();

    public void AddTo(Command command)
    {
        command.Options.Add(_connectTimeout);
        command.Options.Add(_timeout);
        _tls.AddTo(command);
    }

    /// <summary>What the flags ask of the client.</summary>
    /// <exception cref="Transport.Tls.TlsSetupException">The CA file is missing or holds no certificate.</exception>
    public ClientOptions Read(ParseResult result) => new()
    {
        ConnectTimeout = result.GetValue(_connectTimeout),
        Timeout = result.GetValue(_timeout),
        Tls = _tls.Read(result),
    };
}
