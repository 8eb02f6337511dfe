using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// What every server command shares: HOST and PORT, --engine, the scale, metrics, limit, timeout and TLS options;
/// then resolving the address and serving until Ctrl+C or SIGTERM.
/// Each command adds only what is its own: its name and help, its default engine, its options and its handler.
/// </summary>
internal sealed class ServerCommand
{
    private readonly Argument<string> _host = CommonOptions.Host();
    private readonly Argument<int> _port = CommonOptions.Port();
    private readonly Option<EngineKind> _engine;
    private readonly Option<int?> _loops;
    private readonly ServerTlsOptions _tls = new();
    private readonly MetricsOptions _metrics = new();
    private readonly ServerFlags _flags;

    /// <param name="name">The command's name, e.g. echo-server.</param>
    /// <param name="description">Its help: what it serves, and examples.</param>
    /// <param name="defaultEngine">The engine without --engine.</param>
    /// <param name="defaultLoops">The select engine's loops without --loops; null: one per core.</param>
    /// <param name="options">The command's own options, listed in its help before --engine.</param>
    public ServerCommand(string name, string description, EngineKind defaultEngine, int? defaultLoops, params Option[] options)
    {
        _engine = CommonOptions.Engine(defaultEngine);
        _loops = CommonOptions.Loops(defaultLoops);
        Command = new Command(name, description) { _host, _port };
        foreach (Option option in options)
        {
            Command.Options.Add(option);
        }
        Command.Options.Add(_engine);
        Command.Options.Add(_loops);
        Scale = ScaleOptions.AddTo(Command);
        _metrics.AddTo(Command);
        _flags = ServerFlags.AddTo(Command);
        _tls.AddTo(Command);
    }

    /// <summary>The command, with every shared argument and option added.</summary>
    public Command Command { get; }

    /// <summary>--workers, --reuse-port and --proxy-protocol, for a command's own validators.</summary>
    public ScaleOptions Scale { get; }

    /// <summary>
    /// Serves when the command runs: resolves HOST and PORT, builds the server's options from the command line (then
    /// <paramref name="configure"/> adds the command's own), and serves connections with the handlers of
    /// <paramref name="handlers"/>, which is given the options and the logger once per run.
    /// </summary>
    /// <param name="loggerCategory">The category of the server's events, e.g. SocketKit.EchoServer.</param>
    public Command Serves(CliContext context, string loggerCategory,
        Func<ServerOptions, ILogger, Func<ConnectionInfo, IConnectionHandler>> handlers,
        Func<ParseResult, ServerOptions, ServerOptions>? configure = null)
    {
        CommandRunner.SetAction(Command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger(loggerCategory);
            EndPoint endPoint = await EndPoints.ResolveListenAsync(result.GetValue(_host)!, result.GetValue(_port), cancellationToken);
            EngineKind engine = result.GetValue(_engine);
            ServerOptions options = _flags.Apply(new ServerOptions { EndPoint = endPoint, Engine = engine, Loops = result.GetValue(_loops), Tls = _tls.Read(result) }, result);
            if (configure is not null)
            {
                options = configure(result, options);
            }
            return await Scale.ServeAsync(result, options, handlers(options, logger), logger, cancellationToken, _metrics.Create(result, context));
        });
        return Command;
    }
}
