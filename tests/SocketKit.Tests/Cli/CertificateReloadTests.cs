using System.Net.Security;

namespace SocketKit.Tests.Cli;

/// <summary>
/// SIGHUP, sent for real to socketkit in a process of its own: the server reads its certificate and key again, new
/// handshakes get the new pair, a connection open across the reload is untouched, a bad new pair is refused with why
/// (the old one stays in use), and the server goes on serving: SIGHUP no longer ends it.
/// </summary>
[Tier(TestTier.Socket)]
public class CertificateReloadTests
{
    private const int SigHup = 1;

    /// <summary>A connection made now gets the certificate of <paramref name="subject"/> and has its message echoed.</summary>
    private static async Task AssertANewConnectionIsServedWithAsync(int port, string subject, string message)
    {
        using TlsConnection connection = await TlsConnection.OpenAsync(port);
        Assert.Equal(subject, connection.Subject);
        Assert.Equal(message, await connection.EchoAsync(message));
    }

    private sealed class TlsConnection(Socket socket, SslStream stream) : IDisposable
    {
        public string Subject => stream.RemoteCertificate!.Subject;

        public async Task<string> EchoAsync(string message)
        {
            using var cts = new CancellationTokenSource(RawClient.Timeout);
            byte[] bytes = Encoding.ASCII.GetBytes(message);
            await stream.WriteAsync(bytes, cts.Token);
            byte[] answer = new byte[bytes.Length];
            await stream.ReadExactlyAsync(answer, cts.Token);
            return Encoding.ASCII.GetString(answer);
        }

        public static async Task<TlsConnection> OpenAsync(int port)
        {
            Socket socket = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
            using var cts = new CancellationTokenSource(RawClient.Timeout);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                // Any certificate: the test looks at which one the server presents.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, cts.Token);
            return new TlsConnection(socket, stream);
        }

        public void Dispose()
        {
            stream.Dispose();
            socket.Dispose();
        }
    }

    [Fact]
    public async Task SigHupReloadsTheCertificateForNewHandshakesKeepsOpenConnectionsAndRefusesABadPair()
    {
        (string certificate, string key) = TestPki.CopyOfServer();
        using CliProcess server = await CliProcess.StartServerAsync("echo-server", "127.0.0.1", "0", "--tls-cert", certificate, "--tls-key", key);

        using TlsConnection before = await TlsConnection.OpenAsync(server.Port);
        Assert.Equal("CN=localhost", before.Subject);
        Assert.Equal("one", await before.EchoAsync("one"));

        // A renewal: a new pair written over the files, then SIGHUP.
        TestPki.Pair renewed = TestPki.NewServer("renewed.localhost");
        TestPki.WriteOver(renewed, certificate, key);
        server.Signal(SigHup);
        await server.Error.WaitForAsync(@"Reloaded the TLS certificate from \S+live\.pem: CN=renewed\.localhost, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ; new handshakes use it");

        await AssertANewConnectionIsServedWithAsync(server.Port, "CN=renewed.localhost", "two");
        // The connection made before the reload is untouched.
        Assert.Equal("three", await before.EchoAsync("three"));

        // A bad pair: the key is not the certificate's. The renewed pair stays in use, and the server says why.
        File.Copy(TestPki.Client.KeyPath, key, overwrite: true);
        server.Signal(SigHup);
        await server.Error.WaitForAsync(@"Kept the TLS certificate in use \(CN=renewed\.localhost, valid until [^)]+\): the new one cannot be used: cannot load the certificate \S+live\.pem with the key \S+live\.key: ");
        await AssertANewConnectionIsServedWithAsync(server.Port, "CN=renewed.localhost", "four");
        Assert.Equal("five", await before.EchoAsync("five"));
        Assert.False(server.HasExited);
        Support.Cli.AssertNoStackTrace(server.Error.ToString());
    }

    [Fact]
    public async Task SigHupNoLongerEndsAPlainServer()
    {
        using CliProcess server = await CliProcess.StartServerAsync("echo-server", "127.0.0.1", "0");
        server.Signal(SigHup);
        await server.Error.WaitForAsync("Caught SIGHUP: nothing to reload \\(no TLS certificate\\); still serving");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "still", "-q");
        Assert.Equal((0, "Received b'still'\n"), (client.ExitCode, client.Out));
        Assert.False(server.HasExited);
    }

    [Fact]
    public void AReloadRefusesAnExpiredCertificateAndAMissingFileKeepingThePairInUse()
    {
        (string certificate, string key) = TestPki.CopyOfServer();
        var files = new SocketKit.Transport.Tls.ServerCertificateFiles(certificate, key);
        var logger = new ListLogger();

        TestPki.WriteOver(TestPki.ExpiredClient, certificate, key);
        Assert.False(files.Reload(logger));
        Assert.Equal("CN=localhost", files.Current.Subject);
        Assert.Contains(logger.Lines, l => l.Contains($"Kept the TLS certificate in use (CN=localhost, valid until ", StringComparison.Ordinal)
            && l.Contains($"the new one cannot be used: the certificate in {certificate} (CN=bob) expired on ", StringComparison.Ordinal));

        File.Delete(key);
        Assert.False(files.Reload(logger));
        Assert.Contains(logger.Lines, l => l.Contains($"the new one cannot be used: cannot read {key}: no such file", StringComparison.Ordinal));
        Assert.Equal("CN=localhost", files.Current.Subject);
    }
}
