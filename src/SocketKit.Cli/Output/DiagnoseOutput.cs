using SocketKit.Diagnostics.Diagnose;
using SocketKit.Diagnostics.Ping;

namespace SocketKit.Cli.Output;

/// <summary>A diagnosis, its verdict in words, and the next step: what diagnose prints.</summary>
internal sealed record DiagnoseResult(Diagnosis Diagnosis, string Verdict, string NextStep)
{
    public static DiagnoseResult Of(Diagnosis diagnosis)
    {
        (string verdict, string next) = DiagnoseVerdict.Say(diagnosis);
        return new DiagnoseResult(diagnosis, verdict, next);
    }
}

/// <summary>A line per step (resolve, ping, connect, tls, probe, listeners), then the verdict and the next step.</summary>
internal sealed class DiagnoseText : IResultRenderer<DiagnoseResult>
{
    public string Render(DiagnoseResult result)
    {
        Diagnosis d = result.Diagnosis;
        DiagnoseOptions o = d.Options;
        var text = new StringBuilder();
        text.Append($"Diagnosing {o.Host} port {o.Port}: {(o.Tls is null ? "plain TCP" : "TLS")}, {(o.Protocol == DiagnoseProtocol.App ? "application protocol" : "echo")}\n");
        text.Append("  resolve    ").Append(d.ResolveError is { } failed ? failed
            : IPAddress.TryParse(o.Host, out _) ? $"{o.Host} is an address" : $"{o.Host} is {string.Join(", ", d.Addresses.Select(a => a.Address))}").Append('\n');
        foreach (AddressCheck check in d.Addresses)
        {
            text.Append($"  ping       {check.Address}: {Ping(check.Ping)}\n");
            text.Append($"  connect    {d.EndPointOf(check.Address)}: {Connect(check)}\n");
        }
        // In the order they ran: asked for, TLS comes first; otherwise it was tried after the probe, to find out.
        if (d.Tls is { } tls && o.Tls is not null)
        {
            text.Append($"  tls        {Tls(tls)}\n");
        }
        if (d.Probe is { } probe)
        {
            text.Append($"  probe      {Probe(probe, o.Timeout)}\n");
        }
        if (d.Tls is { } found && o.Tls is null)
        {
            text.Append($"  tls        {Tls(found)}\n");
        }
        if (d.PlainProbe is { } plain)
        {
            text.Append($"  plain      {Probe(plain, o.Timeout)}\n");
        }
        if (d.Listeners is { } listeners)
        {
            text.Append($"  listeners  {(listeners.Count == 0 ? $"none on this machine at port {o.Port}" : string.Join(", ", listeners.Select(Listener)))}\n");
        }
        text.Append($"Verdict: {result.Verdict}\n");
        text.Append($"Next step: {result.NextStep}\n");
        return text.ToString();
    }

    private static string Ping(PingProbe? ping) => ping switch
    {
        null => "not allowed to this user (ICMP needs root or a ping group)",
        { Outcome: PingOutcome.Replied } => $"reply in {DiagnoseVerdict.Milliseconds(ping.RoundTrip)}",
        { Outcome: PingOutcome.TimedOut } => "no reply",
        _ => ping.Detail ?? ping.Outcome.ToString(),
    };

    private static string Connect(AddressCheck check) => check.Connect switch
    {
        ConnectOutcome.Connected => $"connected in {DiagnoseVerdict.Milliseconds(check.ConnectTime)}",
        ConnectOutcome.Refused => $"refused in {DiagnoseVerdict.Milliseconds(check.ConnectTime)}",
        ConnectOutcome.TimedOut => $"timed out: {check.ConnectDetail}",
        ConnectOutcome.Reset => $"reset in {DiagnoseVerdict.Milliseconds(check.ConnectTime)}",
        _ => $"failed: {check.ConnectDetail}",
    };

    private static string Tls(TlsCheck tls) => !tls.Completed
        ? $"handshake failed: {tls.Problem}"
        : $"{tls.Version}, certificate for {string.Join(", ", tls.Names)}, expires {tls.NotAfter:yyyy-MM-dd HH:mm} UTC, "
          + (tls.Trusted switch { true => "trusted", false => $"not trusted: {tls.Problem}", null => "not checked" });

    private static string Probe(ProbeResult probe, TimeSpan timeout) =>
        $"sent {probe.SentBytes} bytes ({(probe.Protocol == DiagnoseProtocol.App ? "a search request" : "an echo")}), "
        + probe.Outcome switch
        {
            ProbeOutcome.Answered => $"answered in {DiagnoseVerdict.Milliseconds(probe.Elapsed)}",
            ProbeOutcome.NoAnswer => $"no answer in {Durations.Format(timeout)}",
            ProbeOutcome.Closed => $"closed by the server after {probe.ReceivedBytes} bytes, {DiagnoseVerdict.Milliseconds(probe.Elapsed)} later",
            ProbeOutcome.Reset => $"reset by the server, {DiagnoseVerdict.Milliseconds(probe.Elapsed)} later",
            ProbeOutcome.Http => "answered in HTTP",
            ProbeOutcome.Echoed => "the same bytes came back",
            ProbeOutcome.Tls => "answered with TLS records",
            _ => "answered with bytes of another protocol",
        }
        + (probe.Detail is { } detail ? $": {detail}" : "");

    private static string Listener(LocalListener listener) =>
        listener.Local + (listener.Process is { } process ? $" ({process})" : "");
}

/// <summary>The diagnosis as one object; docs/JSON.md lists the keys.</summary>
internal sealed class DiagnoseJson : JsonObjectRenderer<DiagnoseResult>
{
    protected override void WriteProperties(Utf8JsonWriter json, DiagnoseResult result)
    {
        Diagnosis d = result.Diagnosis;
        json.WriteString("host", d.Options.Host);
        json.WriteNumber("port", d.Options.Port);
        json.WriteString("protocol", JsonOutput.SnakeCase(d.Options.Protocol.ToString()));
        json.WriteBoolean("tls", d.Options.Tls is not null);
        json.WriteBoolean("ok", d.Succeeded);
        json.WriteString("finding", JsonOutput.SnakeCase(d.Finding.ToString()));
        json.WriteString("verdict", result.Verdict);
        json.WriteString("next_step", result.NextStep);
        json.WriteString("resolve_error", d.ResolveError);
        json.WriteStartArray("addresses");
        foreach (AddressCheck check in d.Addresses)
        {
            json.WriteStartObject();
            json.WriteString("address", check.Address.ToString());
            json.WriteString("ping", check.Ping is null ? "not_allowed" : JsonOutput.SnakeCase(check.Ping.Outcome.ToString()));
            WriteMilliseconds(json, "ping_ms", check.Ping is { Outcome: PingOutcome.Replied } ? check.Ping.RoundTrip : null);
            json.WriteString("connect", JsonOutput.SnakeCase(check.Connect.ToString()));
            WriteMilliseconds(json, "connect_ms", check.ConnectTime);
            json.WriteString("connect_error", check.ConnectDetail);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (d.Tls is { } tls)
        {
            json.WriteStartObject("tls_handshake");
            json.WriteBoolean("completed", tls.Completed);
            json.WriteString("version", tls.Version);
            json.WriteStartArray("names");
            foreach (string name in tls.Names)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteString("not_after", tls.NotAfter?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (tls.Trusted is bool trusted)
            {
                json.WriteBoolean("trusted", trusted);
            }
            else
            {
                json.WriteNull("trusted");
            }
            json.WriteString("problem", tls.Problem);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("tls_handshake");
        }
        WriteProbe(json, "probe", d.Probe);
        WriteProbe(json, "plain_probe", d.PlainProbe);
        if (d.Listeners is { } listeners)
        {
            json.WriteStartArray("listeners");
            foreach (LocalListener listener in listeners)
            {
                json.WriteStartObject();
                json.WriteString("local", listener.Local);
                json.WriteString("process", listener.Process);
                json.WriteBoolean("matches", listener.Matches);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        else
        {
            json.WriteNull("listeners");
        }
    }

    private static void WriteProbe(Utf8JsonWriter json, string name, ProbeResult? probe)
    {
        if (probe is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("outcome", JsonOutput.SnakeCase(probe.Outcome.ToString()));
        json.WriteNumber("sent_bytes", probe.SentBytes);
        json.WriteNumber("received_bytes", probe.ReceivedBytes);
        WriteMilliseconds(json, "elapsed_ms", probe.Elapsed);
        json.WriteString("detail", probe.Detail);
        json.WriteEndObject();
    }

    private static void WriteMilliseconds(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is TimeSpan time)
        {
            json.WriteNumber(name, Math.Round(time.TotalMilliseconds, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>The finding in words, and what to do next. It names socketkit's commands, so it is the CLI's, not the library's.</summary>
internal static class DiagnoseVerdict
{
    public static string Milliseconds(TimeSpan time) => $"{time.TotalMilliseconds.ToString(time.TotalMilliseconds < 10 ? "0.##" : "0.#", CultureInfo.InvariantCulture)} ms";

    public static (string Verdict, string NextStep) Say(Diagnosis d)
    {
        string host = d.Options.Host, port = d.Options.Port.ToString(CultureInfo.InvariantCulture);
        AddressCheck? first = d.Addresses.FirstOrDefault();
        string at = d.Connected is { } c ? d.EndPointOf(c.Address) : first is null ? $"{host}:{port}" : d.EndPointOf(first.Address);
        string protocol = d.Options.Protocol == DiagnoseProtocol.App ? "the application protocol" : "echo";
        ProbeResult? probe = d.Probe ?? d.PlainProbe;
        string sent = probe is null ? "" : $"sent {probe.SentBytes} bytes";
        return d.Finding switch
        {
            DiagnosisFinding.Working => ($"{at} accepts connections{(d.Options.Tls is null ? "" : " over TLS")} and answers in {protocol}.",
                "none: it works. If a program of yours still fails, compare its host, port and TLS options with these."),
            DiagnosisFinding.NameDoesNotResolve => ($"the name {host} does not resolve to any address.",
                $"check its spelling, or use an IP address such as 127.0.0.1; `getent hosts {host}` asks the system's resolver what it knows."),
            DiagnosisFinding.NothingListening => ($"nothing is listening on {at}: the host answered the connection request with a refusal (RST).",
                d.Listeners is null
                    ? "start the server on that host, and check the port; on that host, `ss -tlnp` lists what listens."
                    : $"start the server (socketkit app-server {host} {port}, or your own), or check the port; `socketkit netstat -tlnp` lists what listens here."),
            DiagnosisFinding.ListeningElsewhere => ListeningElsewhere(d, at, host, port),
            DiagnosisFinding.NoAnswerToConnect => ($"the connection request (SYN) to {at} got no answer in {Durations.Format(d.Options.ConnectTimeout)}"
                    + (first?.Ping?.Outcome == PingOutcome.Replied ? ", though the host answers ping: a firewall drops connections to that port." : ": a firewall drops it, or the host is down."),
                "check the firewall rules on the host and on the way (`nft list ruleset`, `iptables -L -n`), and that the server's host is up."),
            DiagnosisFinding.Unreachable => ($"{at} cannot be reached: {first?.ConnectDetail}",
                "check the address and this machine's routes (`ip route get ADDRESS`)."),
            DiagnosisFinding.ResetOnConnect => ($"the connection to {at} was reset while it was being made.",
                "a firewall that rejects with a reset, or a server whose accept queue is full; `socketkit netstat -tln` shows a listener's queue here."),
            DiagnosisFinding.NoAnswer => ($"connected to {at} and {sent} ({(d.Options.Protocol == DiagnoseProtocol.App ? "a search request" : "an echo")}); no answer came in {Durations.Format(d.Options.Timeout)}. The server accepts connections but does not answer.",
                $"the server is stuck or waits for something else: look at its logs; `socketkit trace` shows the bytes; try --protocol {(d.Options.Protocol == DiagnoseProtocol.App ? "echo" : "app")} if it may speak the other."),
            DiagnosisFinding.ClosedWithoutAnswer => ($"connected to {at} and {sent}; the server closed the connection after {probe!.ReceivedBytes} bytes, without an answer, {Milliseconds(probe.Elapsed)} later.",
                "the server refuses the connection once accepted (a connection limit, an allow list, a crash); look at its logs for why it closed."),
            DiagnosisFinding.ResetAfterRequest => ($"connected to {at} and {sent}; the server reset the connection (RST) {Milliseconds(probe!.Elapsed)} later, without an answer.",
                "the server failed or refused the request; look at its logs."),
            DiagnosisFinding.PlainServer => ($"TLS was asked for, but the server at {at} speaks plain TCP: the handshake failed ({d.Tls?.Problem}) and the same probe without TLS was answered.",
                "leave out --tls, --tls-ca and --tls-insecure to speak plain TCP to it, or start the server with --tls-cert FILE --tls-key FILE."),
            DiagnosisFinding.TlsServer => ($"the server at {at} speaks TLS: a plain request got {PlainOutcome(d.Probe)}, and a TLS handshake completed ({d.Tls?.Version}).",
                "add --tls (--tls-ca FILE for a private CA or a self-signed certificate, --tls-insecure for a test server)."),
            DiagnosisFinding.CertificateProblem => ($"the TLS handshake with {at} completed, but {d.Tls?.Problem}.",
                "give --tls-ca FILE with the certificate of the CA that issued it (or the self-signed certificate itself), and connect by a name the certificate carries."),
            DiagnosisFinding.TlsFailed => ($"the TLS handshake with {at} failed: {d.Tls?.Problem}.",
                "check that the server speaks TLS on that port (socketkit diagnose without --tls tells), and which TLS versions it takes."),
            DiagnosisFinding.HttpServer => ($"the server at {at} speaks HTTP, not {protocol}: it answered \"{probe?.Detail}\".",
                "it is a web server: check the port, or talk to it with curl."),
            DiagnosisFinding.EchoServer => ($"the server at {at} sent the request back: it is an echo server, not an application server.",
                $"check the port of the application server; for an echo server use socketkit echo-client {host} {port} (or diagnose --protocol echo)."),
            _ => ($"the server at {at} answered with bytes that are not {protocol}: {probe?.Detail}.",
                $"check the port; `socketkit trace` shows the bytes; try --protocol {(d.Options.Protocol == DiagnoseProtocol.App ? "echo" : "app")}."),
        };
    }

    private static string PlainOutcome(ProbeResult? probe) => probe?.Outcome switch
    {
        ProbeOutcome.NoAnswer => "no answer",
        ProbeOutcome.Closed => "the connection closed without an answer",
        ProbeOutcome.Reset => "a reset",
        _ => "TLS records back",
    };

    private static (string, string) ListeningElsewhere(Diagnosis d, string at, string host, string port)
    {
        LocalListener[] elsewhere = [.. d.Elsewhere];
        string who = string.Join(", ", elsewhere.Select(l => l.Local + (l.Process is { } p ? $" ({p})" : "")));
        string other = IPEndPointHost(elsewhere[0].Local);
        return ($"nothing is listening on {at}, but a server listens on the same port at another address: {who}. It is bound to {(elsewhere.Length == 1 ? "that address" : "those addresses")} only.",
            $"connect to {other} {port}, or start the server on {host} (0.0.0.0 or :: listens on every address).");
    }

    private static string IPEndPointHost(string local) =>
        IPEndPoint.TryParse(local, out IPEndPoint? endPoint) ? endPoint.Address.ToString() : local;
}
