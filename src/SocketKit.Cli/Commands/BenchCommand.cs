using System.Net.Sockets;
using SocketKit.Diagnostics.Bench;
using SocketKit.Transport.Tls;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit bench echo|app: a load generator for both protocols, with latency percentiles and CPU per request.</summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("bench", """
            Load generator: keeps CONNECTIONS connections busy against an echo or application server
            and reports throughput, latency percentiles and a histogram, errors by kind, and the CPU
            time of both sides per request (the server's with --server-pid). Works against any server
            of the protocol.

            A closed loop by default: each connection sends its next request once the last is answered,
            so a server that stalls also stalls the load, and the latency hides it. --rate R is an open
            loop: R requests per second on a fixed schedule, each latency counted from the moment its
            request was due (coordinated omission corrected, as wrk2 does).

            Nothing is hidden: a request not answered within --timeout is "timed out"; refused, reset
            and closed connections, and answers that are not the protocol, are errors counted by kind;
            the exit status is 1 when any error occurred, and with no answer no latency is printed.
            On a terminal a line per second shows the run as it goes (--json has it as "timeline").

            Examples:
              socketkit bench echo 127.0.0.1 65432 -c 100 -d 10s --size 64
              socketkit bench echo 127.0.0.1 65432 -c 10 -d 10s --rate 5000
              socketkit bench app 127.0.0.1 65432 -c 100 -d 10s --keepalive 1000 --pipeline 16 --server-pid 4242
              socketkit bench app localhost 65432 -c 10 -d 10s --tls-ca cert.pem
              socketkit bench echo unix:/tmp/echo.sock -c 10 -d 10s
            """);
        command.Subcommands.Add(Create(context, BenchKind.Echo));
        command.Subcommands.Add(Create(context, BenchKind.App));
        return command;
    }

    private static Command Create(CliContext context, BenchKind kind)
    {
        var server = new ServerAddressFlags(optional: false);
        Option<int> connections = CommonOptions.Integer("--connections", "Connections open at once (default 10).", 10, min: 1);
        connections.Aliases.Add("-c");
        Option<TimeSpan> duration = CommonOptions.Duration("--duration", "How long to measure, at most; with -n the run ends at whichever comes first", TimeSpan.FromSeconds(10));
        duration.Aliases.Add("-d");
        var requests = new Option<long?>("--requests", "-n") { Description = "Stop after this many requests (echo: messages).", CustomParser = r => ValueParsers.Integer(r, "--requests", 1, long.MaxValue) };
        Option<TimeSpan> warmup = CommonOptions.DurationOrNone("--warmup", "Load sent before measuring, not counted");
        var verify = new Option<bool>("--verify") { Description = "Check every response byte for byte against the expected answer." };
        Option<int?> serverPid = CommonOptions.OptionalInteger("--server-pid", "The server's process id: sample its CPU time and RSS from /proc to report CPU per request.", min: 1);
        Option<TimeSpan> interval = CommonOptions.DurationOrNone("--interval", "Pause between an answer and the next request on a connection (a paced load)");
        Option<TimeSpan> idle = CommonOptions.DurationOrNone("--idle", "Once all connections are open, hold them idle this long before sending (measures idle cost)");
        Option<int> size = CommonOptions.Integer("--size", "Bytes per echo message (default 64).", 64, min: 1, max: 64 * 1024 * 1024);
        Option<int> keepAlive = CommonOptions.Integer("--keepalive", "Requests per connection, sent with \"keep-alive\": true (default 1: the reference conversation, one request per connection).", 1, min: 1);
        Option<int> pipeline = CommonOptions.Integer("--pipeline", "Requests in flight on one connection (default 1).", 1, min: 1);
        var value = new Option<string>("--value") { Description = "The search value (default morpheus).", DefaultValueFactory = _ => "morpheus" };
        Option<TimeSpan> connectTimeout = CommonOptions.ConnectTimeout();
        Option<TimeSpan> timeout = CommonOptions.Duration("--timeout", "How long a request (or a connect) may wait for its answer before it counts as \"timed out\"", TimeSpan.FromSeconds(5));
        var rate = new Option<double?>("--rate", "-R")
        {
            Description = "Open loop: send this many requests per second in all, on a fixed schedule, and count each latency from its due time (default: a closed loop).",
            CustomParser = r => ValueParsers.Rate(r, "--rate"),
        };
        var tls = new ClientTlsFlags();

        var command = kind == BenchKind.Echo
            ? new Command("echo", """
                Loads an echo server: each connection sends a message of --size bytes, waits for all of
                it to come back, and sends the next.

                Example:
                  socketkit bench echo 127.0.0.1 65432 -c 100 -d 10s --size 64 --verify
                  socketkit bench echo unix:/tmp/echo.sock -c 10 -d 10s --tls-insecure
                """) { connections, duration, requests, warmup, rate, timeout, verify, serverPid, interval, idle, JsonOutput.Option, size, connectTimeout }
            : new Command("app", """
                Loads an application server with search requests. By default each request has its own
                connection (the reference conversation); --keepalive K sends K requests per connection
                with the keep-alive key, --pipeline P keeps P of them in flight. Every answer must be the
                protocol's answer to a search (an echo server's is "not the application protocol");
                --verify also compares it byte for byte. A server that closes after each answer under
                --keepalive is said in words, and exits 1.

                Example:
                  socketkit bench app 127.0.0.1 65432 -c 100 -d 10s --keepalive 1000 --pipeline 16 --verify
                  socketkit bench app 127.0.0.1 65432 -c 10 -d 10s --keepalive 100 --rate 2000
                  socketkit bench app localhost 65432 -c 10 -d 10s --tls-ca cert.pem
                """) { connections, duration, requests, warmup, rate, timeout, verify, serverPid, interval, idle, JsonOutput.Option, keepAlive, pipeline, value, connectTimeout };
        server.AddTo(command);
        tls.AddTo(command);

        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            int Usage(string problem)
            {
                context.Error.WriteLine($"socketkit: {problem}.");
                context.Error.WriteLine($"Try 'socketkit bench {command.Name} --help' for usage.");
                return ExitCodes.Usage;
            }
            (string target, int port) = server.Read(result);
            EndPoint endPoint = await ChooseEndPointAsync(target, port, result.GetValue(connectTimeout), cancellationToken);
            TlsClientOptions? tlsOptions = tls.Read(result);
            var options = new BenchOptions
            {
                Kind = kind,
                EndPoint = endPoint,
                Tls = tlsOptions is null || tlsOptions.ServerName is not null || EndPoints.TryGetUnixPath(target, out _) ? tlsOptions : tlsOptions with { ServerName = target },
                Connections = result.GetValue(connections),
                Duration = result.GetValue(duration),
                Requests = result.GetValue(requests),
                Warmup = result.GetValue(warmup),
                Verify = result.GetValue(verify),
                ServerPid = result.GetValue(serverPid),
                Interval = result.GetValue(interval),
                Idle = result.GetValue(idle),
                MessageBytes = kind == BenchKind.Echo ? result.GetValue(size) : 64,
                KeepAlive = kind == BenchKind.App ? result.GetValue(keepAlive) : 1,
                Pipeline = kind == BenchKind.App ? result.GetValue(pipeline) : 1,
                Value = kind == BenchKind.App ? result.GetValue(value)! : "morpheus",
                Timeout = result.GetValue(timeout),
                Rate = result.GetValue(rate),
                Logger = loggers.CreateLogger("SocketKit.Bench"),
            };
            // Flags that pace the load two ways, in the flags' words (the library's own check names its properties).
            string? conflict = options.Rate is null ? null
                : options.Pipeline != 1 ? "--rate sends one request at a time per connection: leave out --pipeline"
                : options.Interval != TimeSpan.Zero ? "--rate and --interval both pace the load: give one of them"
                : null;
            if (conflict is not null)
            {
                return Usage(conflict);
            }
            bool asJson = JsonOutput.IsRequested(result);
            // A live line only for a person at a terminal: never in a pipe, a file, a test or --json.
            bool live = !asJson && ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected && !result.GetValue(CommonOptions.Quiet);
            Action<BenchProgress>? progress = live ? p => Show(context, p) : null;
            BenchResult run;
            try
            {
                run = await LoadGenerator.RunAsync(options, progress, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                return Usage(ex.Message);
            }
            catch (InvalidOperationException ex)
            {
                context.Error.WriteLine($"socketkit: {ex.Message}.");
                context.Error.WriteLine("  What to check: --server-pid takes the id of a running server process (e.g. from `pgrep -n socketkit` or `$!`).");
                return ExitCodes.Usage;
            }
            if (live)
            {
                context.Error.Write("\r" + new string(' ', 70) + "\r");
            }
            JsonOutput.Write(context, result, run, new BenchText(), new BenchJson());
            if (cancellationToken.IsCancellationRequested)
            {
                context.Error.WriteLine("socketkit: interrupted; the figures above cover the run until then.");
                return ExitCodes.Interrupted;
            }
            if (run.NotKeptAlive > 0)
            {
                context.Error.WriteLine($"socketkit: {BenchText.NotKeptAlive(run)}; leave out --keepalive to measure one request per connection.");
            }
            if (run.ErrorCount > 0)
            {
                context.Error.WriteLine($"socketkit: {run.ErrorCount:N0} requests or connections failed ({BenchText.ErrorList(run)}).");
                return ExitCodes.Failure;
            }
            if (run.NotKeptAlive > 0)
            {
                return ExitCodes.Failure;
            }
            if (run.Completed == 0)
            {
                context.Error.WriteLine("socketkit: no request was answered in the time given.");
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The live display at a terminal: while connecting or warming up one line rewritten in place; while measuring a
    /// line per second (the timeline).
    /// </summary>
    private static void Show(CliContext context, BenchProgress p)
    {
        if (p.Second is { } second)
        {
            context.Error.WriteLine("\r" + BenchText.TimelineLine(second) + "   ");
            return;
        }
        context.Error.Write($"\r  {p.Phase} {p.Elapsed.TotalSeconds,5:F1}s  {p.Completed,12:N0} done  {p.Errors:N0} errors   ");
    }

    /// <summary>
    /// The address to load, resolved as the clients resolve theirs: a Unix socket, an IP literal, or the first
    /// address of a host name that accepts a connection (that probe connection is closed at once, unused).
    /// </summary>
    private static async Task<EndPoint> ChooseEndPointAsync(string host, int port, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        EndPoint[] candidates = await EndPoints.ResolveAllAsync(host, port, cancellationToken);
        if (candidates.Length == 1)
        {
            return candidates[0];
        }
        using Socket probe = await Listeners.ConnectAsync(candidates, connectTimeout, cancellationToken);
        return probe.RemoteEndPoint!;
    }
}
