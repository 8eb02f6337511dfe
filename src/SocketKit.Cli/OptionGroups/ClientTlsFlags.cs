using SocketKit.Transport.Tls;

namespace SocketKit.Cli.OptionGroups;

/// <summary>
/// The TLS flags of the clients (--tls, --tls-insecure, --tls-ca, --tls-server-name, --tls-cert, --tls-key), read into the
/// library's one client TLS type, <see cref="TlsClientOptions"/>.
/// </summary>
/// <param name="withClientCertificate">
/// Whether the client may give a certificate (--tls-cert, --tls-key); false where those names are the command's
/// server options (nc -l serves TLS with them).
/// </param>
internal sealed class ClientTlsFlags(bool withClientCertificate = true) : IOptionGroup<TlsClientOptions?>
{
    private readonly Option<bool> _tls = new("--tls") { Description = "Speak TLS, verifying the server's certificate against the system's trusted roots." };
    private readonly Option<bool> _insecure = new("--tls-insecure") { Description = "Speak TLS and accept any certificate, unverified (self-signed test servers only)." };
    private readonly Option<string> _ca = new("--tls-ca") { Description = "Speak TLS and trust only certificates issued by the CA (or self-signed certificate) in this PEM file.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-ca") };
    private readonly Option<string> _serverName = new("--tls-server-name") { Description = "Speak TLS, asking for this name (SNI) and checking the server's certificate against it (default: HOST; localhost for unix:PATH).", HelpName = "NAME", CustomParser = ServerName };
    private readonly Option<string> _certificate = new("--tls-cert") { Description = "Speak TLS, giving this PEM certificate (with --tls-key) to a server that asks for one (mutual TLS).", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-cert") };
    private readonly Option<string> _key = new("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-key") };

    public void AddTo(Command command)
    {
        command.Options.Add(_tls);
        command.Options.Add(_insecure);
        command.Options.Add(_ca);
        command.Options.Add(_serverName);
        if (withClientCertificate)
        {
            command.Options.Add(_certificate);
            command.Options.Add(_key);
        }
        command.Validators.Add(result =>
        {
            if (result.GetValue(_insecure) && result.GetValue(_ca) is not null)
            {
                result.AddError("--tls-insecure and --tls-ca contradict each other: verify against a CA, or do not verify.");
            }
            if (withClientCertificate && (result.GetValue(_certificate) is null) != (result.GetValue(_key) is null))
            {
                result.AddError("--tls-cert and --tls-key go together: give both, or neither when the server asks for no client certificate.");
            }
        });
    }

    /// <summary>The client's TLS options, or null for plain TCP.</summary>
    /// <exception cref="TlsSetupException">A CA, certificate or key file is missing or unreadable.</exception>
    public TlsClientOptions? Read(ParseResult result)
    {
        string? name = result.GetValue(_serverName);
        string? certificate = withClientCertificate ? result.GetValue(_certificate) : null;
        string? key = withClientCertificate ? result.GetValue(_key) : null;
        TlsClientOptions? options = result.GetValue(_ca) is { } ca ? new TlsClientOptions { TrustedRoots = TlsClientOptions.LoadTrustedRoots(ca) }
            : result.GetValue(_insecure) ? new TlsClientOptions { AcceptAnyCertificate = true }
            : result.GetValue(_tls) || name is not null || certificate is not null ? new TlsClientOptions()
            : null;
        return options is null ? null : options with
        {
            ServerName = name,
            ClientCertificate = certificate is not null && key is not null ? TlsServerOptions.LoadPem(certificate, key) : null,
        };
    }

    // A host name or IP address, as a certificate names it: read as HOST is.
    private static string? ServerName(System.CommandLine.Parsing.ArgumentResult result) => ValueParsers.Host(result, "--tls-server-name", allowUnix: false);
}
