using SocketKit.Transport.Tls;

namespace SocketKit.Cli.Infrastructure;

/// <summary>The TLS options of the servers (--tls-cert, --tls-key; the handshake timeout is a setting, --handshake-timeout).</summary>
internal sealed class ServerTlsOptions : IOptionGroup<TlsServerOptions?>
{
    private readonly Option<string> _certificate = new("--tls-cert") { Description = "Serve TLS with this PEM certificate (with --tls-key).", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-cert") };
    private readonly Option<string> _key = new("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-key") };

    public void AddTo(Command command)
    {
        command.Options.Add(_certificate);
        command.Options.Add(_key);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(_certificate) is null) != (result.GetValue(_key) is null))
            {
                result.AddError("--tls-cert and --tls-key go together: give both, or neither for plain TCP.");
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
        return new TlsServerOptions { Certificate = TlsServerOptions.LoadPem(certificate, key) };
    }
}
