using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Applications.App;
using SocketKit.Diagnostics.Ping;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Diagnostics.Diagnose;

/// <summary>
/// Finds why a client cannot talk to HOST PORT: resolves the name, pings and connects to each address, shakes hands
/// in TLS, probes the protocol, and looks at this machine's listeners on the port; then settles on one cause.
/// </summary>
public static class ConnectionDiagnoser
{
    /// <summary>What the echo probe sends.</summary>
    private static readonly byte[] EchoProbe = "socketkit diagnose\n"u8.ToArray();

    /// <summary>Runs every step and returns what each found.</summary>
    public static async Task<Diagnosis> RunAsync(DiagnoseOptions options, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await EndPoints.ResolveAsync(options.Host, cancellationToken);
        }
        catch (NetworkException ex) when (ex.Kind == SocketErrorKind.HostNotFound)
        {
            return new Diagnosis(options, ex.Message, [], null, null, null, null, DiagnosisFinding.NameDoesNotResolve);
        }

        var checks = new List<AddressCheck>();
        Socket? connected = null;
        foreach (IPAddress address in addresses)
        {
            PingProbe? ping = await PingAsync(address, options.PingTimeout);
            (Socket? socket, AddressCheck check) = await ConnectAsync(address, ping, options, cancellationToken);
            checks.Add(check);
            if (connected is null)
            {
                connected = socket;
            }
            else
            {
                socket?.Dispose();
            }
        }
        IReadOnlyList<LocalListener>? listeners = LocalListeners.OnPort(options.Port, addresses);
        if (connected is null)
        {
            return new Diagnosis(options, null, checks, null, null, null, listeners, ConnectFinding(checks, listeners));
        }
        IPEndPoint target = (IPEndPoint)connected.RemoteEndPoint!;
        return options.Tls is null
            ? await PlainAsync(options, checks, listeners, connected, target, cancellationToken)
            : await OverTlsAsync(options, options.Tls, checks, listeners, connected, target, cancellationToken);
    }

    private static async Task<Diagnosis> PlainAsync(DiagnoseOptions options, List<AddressCheck> checks, IReadOnlyList<LocalListener>? listeners,
        Socket connected, IPEndPoint target, CancellationToken cancellationToken)
    {
        ProbeResult probe;
        await using (var stream = new NetworkStream(connected, ownsSocket: true))
        {
            probe = await ProbeAsync(stream, options.Protocol, options.Timeout, cancellationToken);
        }
        if (probe.Outcome is ProbeOutcome.Answered or ProbeOutcome.Http or ProbeOutcome.Echoed or ProbeOutcome.Other)
        {
            return new Diagnosis(options, null, checks, null, probe, null, listeners, ProbeFinding(probe));
        }
        // Silence, a close or a reset to a plain request is what a TLS server gives: shake hands to find out.
        TlsCheck? tls = await TryHandshakeAsync(target, options, new TlsClientOptions { AcceptAnyCertificate = true }, cancellationToken);
        bool speaksTls = probe.Outcome == ProbeOutcome.Tls || tls?.Completed == true;
        return new Diagnosis(options, null, checks, tls, probe, null, listeners, speaksTls ? DiagnosisFinding.TlsServer : ProbeFinding(probe));
    }

    private static async Task<Diagnosis> OverTlsAsync(DiagnoseOptions options, TlsClientOptions tlsOptions, List<AddressCheck> checks,
        IReadOnlyList<LocalListener>? listeners, Socket connected, IPEndPoint target, CancellationToken cancellationToken)
    {
        (TlsCheck tls, Stream? ssl) = await HandshakeAsync(connected, options, tlsOptions, cancellationToken);
        if (ssl is not null)
        {
            ProbeResult probe;
            await using (ssl)
            {
                probe = await ProbeAsync(ssl, options.Protocol, options.Timeout, cancellationToken);
            }
            DiagnosisFinding finding = tls.Trusted == false ? DiagnosisFinding.CertificateProblem : ProbeFinding(probe);
            return new Diagnosis(options, null, checks, tls, probe, null, listeners, finding);
        }
        // The handshake failed: the same probe in plain TCP tells a plain server from a silent or closing one.
        ProbeResult? plain = null;
        try
        {
            using Socket again = await Listeners.ConnectAsync(target, options.ConnectTimeout, cancellationToken);
            await using var stream = new NetworkStream(again, ownsSocket: false);
            plain = await ProbeAsync(stream, options.Protocol, options.Timeout, cancellationToken);
        }
        catch (NetworkException)
        {
            // It accepted a moment ago; a second refusal leaves the handshake's failure as the finding.
        }
        DiagnosisFinding found = plain?.Outcome switch
        {
            ProbeOutcome.Answered or ProbeOutcome.Echoed or ProbeOutcome.Http or ProbeOutcome.Other => DiagnosisFinding.PlainServer,
            ProbeOutcome.NoAnswer or ProbeOutcome.Closed or ProbeOutcome.Reset => ProbeFinding(plain),
            _ => DiagnosisFinding.TlsFailed,
        };
        return new Diagnosis(options, null, checks, tls, null, plain, listeners, found);
    }

    private static DiagnosisFinding ProbeFinding(ProbeResult probe) => probe.Outcome switch
    {
        ProbeOutcome.Answered => DiagnosisFinding.Working,
        ProbeOutcome.NoAnswer => DiagnosisFinding.NoAnswer,
        ProbeOutcome.Closed => DiagnosisFinding.ClosedWithoutAnswer,
        ProbeOutcome.Reset => DiagnosisFinding.ResetAfterRequest,
        ProbeOutcome.Http => DiagnosisFinding.HttpServer,
        ProbeOutcome.Echoed => DiagnosisFinding.EchoServer,
        ProbeOutcome.Tls => DiagnosisFinding.TlsServer,
        _ => DiagnosisFinding.WrongProtocol,
    };

    private static DiagnosisFinding ConnectFinding(List<AddressCheck> checks, IReadOnlyList<LocalListener>? listeners)
    {
        if (checks.Any(c => c.Connect == ConnectOutcome.Refused))
        {
            return listeners?.Any(l => !l.Matches) == true ? DiagnosisFinding.ListeningElsewhere : DiagnosisFinding.NothingListening;
        }
        return checks.Select(c => c.Connect).FirstOrDefault() switch
        {
            ConnectOutcome.TimedOut => DiagnosisFinding.NoAnswerToConnect,
            ConnectOutcome.Unreachable => DiagnosisFinding.Unreachable,
            ConnectOutcome.Reset => DiagnosisFinding.ResetOnConnect,
            _ => DiagnosisFinding.Unreachable,
        };
    }

    private static async Task<PingProbe?> PingAsync(IPAddress address, TimeSpan timeout)
    {
        try
        {
            return await Pinger.IcmpAsync(address, 1, 56, timeout);
        }
        catch (IcmpUnavailableException)
        {
            return null;
        }
    }

    private static async Task<(Socket?, AddressCheck)> ConnectAsync(IPAddress address, PingProbe? ping, DiagnoseOptions options, CancellationToken cancellationToken)
    {
        var endPoint = new IPEndPoint(address, options.Port);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(options.ConnectTimeout);
        long started = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(endPoint, timer.Token);
            return (socket, new AddressCheck(address, ping, ConnectOutcome.Connected, Stopwatch.GetElapsedTime(started), null));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return (null, new AddressCheck(address, ping, ConnectOutcome.TimedOut, Stopwatch.GetElapsedTime(started),
                $"no answer to the connection request within {Durations.Format(options.ConnectTimeout)}"));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            SocketErrorKind kind = SocketErrorGuide.Classify(ex.SocketErrorCode);
            ConnectOutcome outcome = kind switch
            {
                SocketErrorKind.ConnectionRefused => ConnectOutcome.Refused,
                SocketErrorKind.TimedOut => ConnectOutcome.TimedOut,
                SocketErrorKind.ConnectionReset => ConnectOutcome.Reset,
                SocketErrorKind.HostUnreachable or SocketErrorKind.NetworkUnreachable => ConnectOutcome.Unreachable,
                _ => ConnectOutcome.Failed,
            };
            return (null, new AddressCheck(address, ping, outcome, Stopwatch.GetElapsedTime(started), SocketErrorGuide.For(kind).Summary));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when the server at <paramref name="target"/> completes a TLS handshake (any certificate taken), within
    /// <paramref name="timeout"/>: what a plain client whose connection was closed without an answer asks, before it
    /// says anything of TLS.
    /// </summary>
    public static async Task<bool> SpeaksTlsAsync(IPEndPoint target, string host, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var options = new DiagnoseOptions { Host = host, Port = target.Port, ConnectTimeout = timeout, Timeout = timeout };
        return (await TryHandshakeAsync(target, options, new TlsClientOptions { AcceptAnyCertificate = true }, cancellationToken))?.Completed == true;
    }

    /// <summary>A handshake on a new connection to <paramref name="target"/>; null when it could not even connect.</summary>
    private static async Task<TlsCheck?> TryHandshakeAsync(IPEndPoint target, DiagnoseOptions options, TlsClientOptions tls, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await Listeners.ConnectAsync(target, options.ConnectTimeout, cancellationToken);
        }
        catch (NetworkException)
        {
            return null;
        }
        (TlsCheck check, Stream? ssl) = await HandshakeAsync(socket, options, tls, cancellationToken);
        if (ssl is not null)
        {
            await ssl.DisposeAsync();
        }
        return check;
    }

    /// <summary>The client's handshake, the certificate kept whatever it is; the stream when it completed (it then owns the socket).</summary>
    private static async Task<(TlsCheck, Stream?)> HandshakeAsync(Socket socket, DiagnoseOptions options, TlsClientOptions tls, CancellationToken cancellationToken)
    {
        TlsProbe probe = await TlsStreams.ProbeAsClientAsync(socket, tls.ServerName ?? options.Host, options.Timeout, cancellationToken);
        if (probe.Stream is not { } ssl)
        {
            return (new TlsCheck(false, null, [], null, null, probe.Problem), null);
        }
        X509Certificate2? certificate = probe.Certificate;
        SslPolicyErrors errors = probe.Errors;
        string version = probe.Protocol switch
        {
#pragma warning disable SYSLIB0039 // Named to be reported, not chosen.
            SslProtocols.Tls or SslProtocols.Tls11 => "TLS 1.0/1.1",
#pragma warning restore SYSLIB0039
            SslProtocols.Tls12 => "TLS 1.2",
            SslProtocols.Tls13 => "TLS 1.3",
            _ => probe.Protocol.ToString(),
        };
        (bool? trusted, string? problem2) = Judge(certificate, errors, tls, options.Host);
        var check = new TlsCheck(true, version, certificate is null ? [] : Names(certificate), certificate?.NotAfter.ToUniversalTime(), trusted, problem2);
        return (check, ssl);
    }

    /// <summary>Whether the certificate is to be trusted as the client's options ask, and why not.</summary>
    private static (bool? Trusted, string? Problem) Judge(X509Certificate2? certificate, SslPolicyErrors errors, TlsClientOptions tls, string host)
    {
        if (tls.AcceptAnyCertificate)
        {
            return (null, null);
        }
        if (certificate is null)
        {
            return (false, "the server sent no certificate");
        }
        if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
        {
            return (false, $"the certificate expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return (false, $"the certificate is not for {host}: it names {string.Join(", ", Names(certificate))}");
        }
        if (tls.TrustedRoots is { } roots)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate) ? (true, null) : (false, "the certificate does not chain to the CA certificates given");
        }
        return errors == SslPolicyErrors.None ? (true, null) : (false, "the certificate does not chain to a root this system trusts (self-signed, or issued by a private CA)");
    }

    private static IReadOnlyList<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(a => a.ToString()));
            }
        }
        return names.Count > 0 ? names : [certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)];
    }

    /// <summary>Sends one probe of <paramref name="protocol"/> and reads until its answer is whole, the server closes, or the timeout.</summary>
    private static async Task<ProbeResult> ProbeAsync(Stream stream, DiagnoseProtocol protocol, TimeSpan timeout, CancellationToken cancellationToken)
    {
        byte[] sent = protocol == DiagnoseProtocol.Echo ? EchoProbe : MessageEncoder.Encode(AppRequests.Json("search", "morpheus").Header, AppRequests.Json("search", "morpheus").Content.Span);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        long started = Stopwatch.GetTimestamp();
        ProbeResult Result(ProbeOutcome outcome, string? detail = null) =>
            new(protocol, outcome, sent.Length, received.Count, Stopwatch.GetElapsedTime(started), detail ?? (received.Count == 0 ? null : PythonBytes.Repr(received.ToArray(), 48)));
        try
        {
            await stream.WriteAsync(sent, timer.Token);
            while (true)
            {
                if (Classify(protocol, sent, received) is { } outcome)
                {
                    return Result(outcome.Outcome, outcome.Detail);
                }
                int n = await stream.ReadAsync(buffer, timer.Token);
                if (n == 0)
                {
                    return Result(ProbeOutcome.Closed);
                }
                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(ProbeOutcome.NoAnswer);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted })
        {
            return Result(ProbeOutcome.Reset);
        }
        catch (IOException)
        {
            // A TLS stream broken mid-answer: the server went away.
            return Result(ProbeOutcome.Closed);
        }
    }

    /// <summary>What the bytes so far say, or null while they say nothing yet.</summary>
    private static (ProbeOutcome Outcome, string? Detail)? Classify(DiagnoseProtocol protocol, byte[] sent, List<byte> received)
    {
        if (received.Count == 0)
        {
            return null;
        }
        byte[] bytes = [.. received];
        int common = Math.Min(bytes.Length, sent.Length);
        bool echoing = bytes.AsSpan(0, common).SequenceEqual(sent.AsSpan(0, common));
        if (echoing)
        {
            return bytes.Length < sent.Length ? null
                : protocol == DiagnoseProtocol.Echo ? (ProbeOutcome.Answered, null) : (ProbeOutcome.Echoed, null);
        }
        if (bytes.Length < 5 && "HTTP/"u8.StartsWith(bytes))
        {
            return null;
        }
        if (bytes.AsSpan().StartsWith("HTTP/"u8))
        {
            int line = bytes.AsSpan().IndexOf((byte)'\r');
            return (ProbeOutcome.Http, System.Text.Encoding.ASCII.GetString(bytes, 0, line < 0 ? Math.Min(bytes.Length, 60) : Math.Min(line, 60)));
        }
        if (bytes.Length >= 2 && TlsStreams.IsTlsRecord(bytes) && bytes[0] is 21 or 22)
        {
            return (ProbeOutcome.Tls, null);
        }
        if (protocol == DiagnoseProtocol.Echo)
        {
            return (ProbeOutcome.Other, null);
        }
        try
        {
            var data = new ReadOnlySequence<byte>(bytes);
            return new MessageDecoder().TryDecode(ref data, out Message answer) ? (ProbeOutcome.Answered, Describe(answer)) : null;
        }
        catch (ProtocolException ex)
        {
            return (ProbeOutcome.Other, $"{PythonBytes.Repr(bytes, 48)} ({ex.Message.TrimEnd('.')})");
        }
    }

    private static string Describe(Message answer)
    {
        try
        {
            return AppClient.Describe(answer);
        }
        catch (ProtocolException)
        {
            return $"a {answer.Header.ContentType} answer of {answer.Content.Length} bytes";
        }
    }
}
