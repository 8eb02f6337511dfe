using System.Security.Authentication;
using SocketKit.Transport.Clients;
using SocketKit.Transport.Engines;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The load's connections on client readiness loops (<see cref="ClientLoop"/>), one per core as a server's: each loop
    /// a thread with its own selector and receive buffer, the run's connections spread among them, each request built
    /// once and sent as it is, so a request costs a few system calls and no allocation, and the load generator is not
    /// what saturates first. Every load runs here: echo and app, plain and TLS, closed and open loops, paced or not.
    /// </summary>
    private static class Loops
    {
        public static Task[] Start(Run run)
        {
            int loops = Math.Min(Environment.ProcessorCount, run.Options.Connections);
            var tasks = new Task[loops];
            for (int i = 0; i < loops; i++)
            {
                int share = (run.Options.Connections / loops) + (i < run.Options.Connections % loops ? 1 : 0);
                int connectShare = Math.Max(1, run.Options.ConnectConcurrency / loops);
                tasks[i] = DedicatedThread.Run($"socketkit-bench-{i}", () => RunLoop(run, share, connectShare));
            }
            return tasks;
        }

        private static void RunLoop(Run run, int connections, int maxConnecting)
        {
            BenchOptions options = run.Options;
            // The name the certificate must carry when no ServerName says otherwise: the address itself (a certificate
            // may name an IP), never "address:port"; a Unix socket has no host, so the local one is meant.
            string host = options.EndPoint is IPEndPoint ip ? ip.Address.ToString() : "localhost";
            using var loop = new ClientLoop(options.EndPoint, options.Tls, host, options.Timeout, options.HandshakeTimeout, maxConnecting);
            var load = new LoadConnection[connections];
            for (int i = 0; i < connections; i++)
            {
                load[i] = new LoadConnection(run, loop);
                load[i].Start();
            }
            bool gateOpen = false;
            loop.Run(() =>
            {
                if (run.Token.IsCancellationRequested)
                {
                    return false;
                }
                if (!gateOpen && run.GateOpen)
                {
                    gateOpen = true;
                    foreach (LoadConnection connection in load)
                    {
                        connection.GateOpened();
                    }
                }
                return true;
            });
        }
    }

    /// <summary>The kind a failure is counted under, in words (<see cref="BenchErrors"/>).</summary>
    private static string KindOf(Exception ex) => ex switch
    {
        SocketException socket => BenchErrors.Of(SocketErrorGuide.Classify(socket.SocketErrorCode)),
        NetworkException network => BenchErrors.Of(network.Kind),
        IOException { InnerException: SocketException socket } => BenchErrors.Of(SocketErrorGuide.Classify(socket.SocketErrorCode)),
        IOException or AuthenticationException => BenchErrors.TlsFailed,
        ProtocolException => BenchErrors.NotTheAppProtocol,
        _ => ex.GetType().Name,
    };
}
