using SocketKit.Transport;
using SocketKit.Transport.Tls;

namespace SocketKit.Cli.Infrastructure;

/// <summary>The TLS options of the clients (--tls, --tls-insecure, --tls-ca).</summary>
internal sealed class ClientTlsOptions : IOptionGroup<TlsClientOptions?>
{
    private readonly Option<bool> _tls = new("--tls") { Description = "Speak TLS, verifying the server's certificate against the system's trusted roots." };
    private readonly Option<bool> _insecure = new("--tls-insecure") { Description = "Speak TLS and accept any certificate, unverified (self-signed test servers only)." };
    private readonly Option<string> _ca = new("--tls-ca") { Description = "Speak TLS and trust only certificates issued by the CA (or self-signed certificate) in this PEM file.", HelpName = "FILE", CustomParser = r => ValueParsers.InputFile(r, "--tls-ca") };

    public void AddTo(Command command)
    {
        command.Options.Add(_tls);
        command.Options.Add(_insecure);
        command.Options.Add(_ca);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_insecure) && result.GetValue(_ca) is not null)
            {
                result.AddError("--tls-insecure and --tls-ca contradict each other: verify against a CA, or do not verify.");
            }
        });
    }

    /// <summary>The client's TLS options, or null for plain TCP.</summary>
    /// <exception cref="TlsSetupException">The CA file is missing or holds no certificate.</exception>
    public TlsClientOptions? Read(ParseResult result)
    {
        if (result.GetValue(_ca) is { } ca)
        {
            return new TlsClientOptions { TrustedRoots = TlsClientOptions.LoadTrustedRoots(ca) };
        }
        if (result.GetValue(_insecure))
        {
            return new TlsClientOptions { AcceptAnyCertificate = true };
        }
        return result.GetValue(_tls) ? new TlsClientOptions() : null;
    }
}
