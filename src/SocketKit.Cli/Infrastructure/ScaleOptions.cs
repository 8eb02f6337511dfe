using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// The options that take a server past one listener and put it behind a load balancer: --workers, --reuse-port,
/// --proxy-protocol. The server commands give what they say to the library's <see cref="ServerBuilder"/>.
/// </summary>
internal sealed class ScaleOptions : IOptionGroup<ServerScale>
{
    /// <summary>The most listeners one process may start: far more than cores on any machine this runs on.</summary>
    public const int MaxWorkers = ServerBuilder.MaxWorkers;

    public Option<int> Workers { get; } = new("--workers")
    {
        Description = $"Listeners sharing the port with SO_REUSEPORT (Linux); the kernel spreads connections among them and Ctrl+C stops them all (default 1, at most {MaxWorkers}).",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, out int workers) && workers is >= 1 and <= MaxWorkers)
            {
                return workers;
            }
            result.AddError($"{ValueParsers.Shown(text)} is not a number of workers: use a number from 1 to {MaxWorkers}.");
            return 1;
        },
    };

    public Option<bool> ReusePort { get; } = new("--reuse-port")
    {
        Description = "Set SO_REUSEPORT so that other processes started with --reuse-port share the port (Linux).",
    };

    public Option<bool> ProxyProtocol { get; } = new("--proxy-protocol")
    {
        Description = "Require a PROXY protocol header (v1 or v2, as HAProxy's send-proxy-v2 or nginx's proxy_protocol send) first on every connection (with TLS, in plain text before the handshake), and use the client's address it names; connections without a valid one are refused.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Workers);
        command.Options.Add(ReusePort);
        command.Options.Add(ProxyProtocol);
    }

    public ServerScale Read(ParseResult result) => new(result.GetValue(Workers), result.GetValue(ReusePort), result.GetValue(ProxyProtocol));
}
