using SocketKit.Transport.Tls;

namespace SocketKit.Cli.OptionGroups;

/// <summary>
/// The TLS flags of the servers (--tls-cert, --tls-key, --tls-client-ca, --tls-client-optional; the handshake timeout is a
/// setting, --handshake-timeout), read into the library's one server TLS type, <see cref="TlsServerOptions"/>.
/// </summary>
internal sealed class ServerTlsFlags : IOptionGroup<TlsServerOptions?>
{
    private readonly Option<string> _certificate = new("--tls-cert") { Description = "Serve TLS with this PEM certificate (with --tls-key); SIGHUP reads both files again.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-cert") };
    private readonly Option<string> _key = new("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-key") };
    private readonly Option<string> _clientCa = new("--tls-client-ca") { Description = "Mutual TLS: require a client certificate issued by the CA in this PEM file.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-client-ca") };
    private readonly Option<bool> _clientOptional = new("--tls-client-optional") { Description = "With --tls-client-ca: ask for a client certificate, but serve clients without one too." };

    public void AddTo(Command command)
    {
        command.Options.Add(_certificate);
        command.Options.Add(_key);
        command.Options.Add(_clientCa);
        command.Options.Add(_clientOptional);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(_certificate) is null) != (result.GetValue(_key) is null))
            {
                result.AddError("--tls-cert and --tls-key go together: give both, or neither for plain TCP.");
            }
            else if (result.GetValue(_certificate) is null && result.GetValue(_clientCa) is not null)
            {
                result.AddError("--tls-client-ca needs TLS: give the server's own --tls-cert and --tls-key too.");
            }
            if (result.GetValue(_clientOptional) && result.GetValue(_clientCa) is null)
            {
                result.AddError("--tls-client-optional needs --tls-client-ca: the CA a client's certificate must be issued by.");
            }
        });
    }

    /// <summary>The server's TLS options, or null for plain TCP.</summary>
    /// <exception cref="TlsSetupException">A file is missing or unreadable.</exception>
    public TlsServerOptions? Read(ParseResult result)
    {
        if (result.GetValue(_certificate) is not { } certificate || result.GetValue(_key) is not { } key)
        {
            return null;
        }
        return TlsServerOptions.FromPemFiles(certificate, key, result.GetValue(_clientCa), result.GetValue(_clientOptional));
    }
}
