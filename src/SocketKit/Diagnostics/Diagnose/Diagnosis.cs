using SocketKit.Diagnostics.Ping;

namespace SocketKit.Diagnostics.Diagnose;

/// <summary>How a TCP connect to one address ended.</summary>
public enum ConnectOutcome
{
    /// <summary>The three-way handshake completed.</summary>
    Connected,
    /// <summary>An RST answered the SYN: the host is up, nothing listens there.</summary>
    Refused,
    /// <summary>No answer within the connect timeout.</summary>
    TimedOut,
    /// <summary>The connection was reset while being made.</summary>
    Reset,
    /// <summary>No route to the host or network.</summary>
    Unreachable,
    /// <summary>Any other failure (the detail says which).</summary>
    Failed,
}

/// <summary>What was learnt about one address of the host.</summary>
/// <param name="Address">The address.</param>
/// <param name="Ping">The ICMP echo, or null where this process may not send ICMP.</param>
/// <param name="Connect">How the TCP connect ended.</param>
/// <param name="ConnectTime">How long the connect took to end, however it ended.</param>
/// <param name="ConnectDetail">The error's words when it failed, else null.</param>
public sealed record AddressCheck(IPAddress Address, PingProbe? Ping, ConnectOutcome Connect, TimeSpan ConnectTime, string? ConnectDetail);

/// <summary>What a TLS handshake showed.</summary>
/// <param name="Completed">True when the handshake completed (whatever the certificate).</param>
/// <param name="Version">The protocol version agreed, such as "TLS 1.3"; null when it did not complete.</param>
/// <param name="Names">The certificate's DNS names and IP addresses (subject alternative names), else its subject's common name.</param>
/// <param name="NotAfter">When the certificate expires (UTC).</param>
/// <param name="Trusted">True when the certificate chains to the trusted roots (the client's own CA certificates, or the system's) and names the host; null when not checked (accept any).</param>
/// <param name="Problem">Why the certificate is not trusted, or why the handshake failed; null when neither.</param>
public sealed record TlsCheck(bool Completed, string? Version, IReadOnlyList<string> Names, DateTimeOffset? NotAfter, bool? Trusted, string? Problem);

/// <summary>How the protocol probe ended.</summary>
public enum ProbeOutcome
{
    /// <summary>Answered in the expected protocol.</summary>
    Answered,
    /// <summary>Nothing came back within the timeout.</summary>
    NoAnswer,
    /// <summary>The server closed the connection (FIN) without a whole answer.</summary>
    Closed,
    /// <summary>The server reset the connection.</summary>
    Reset,
    /// <summary>An answer in HTTP.</summary>
    Http,
    /// <summary>The probe's own bytes came back (where the application protocol was expected).</summary>
    Echoed,
    /// <summary>TLS records came back to a plain probe.</summary>
    Tls,
    /// <summary>Bytes the expected protocol does not read.</summary>
    Other,
}

/// <summary>What one probe of the protocol showed.</summary>
/// <param name="Protocol">The protocol spoken.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="SentBytes">Bytes the probe sent.</param>
/// <param name="ReceivedBytes">Bytes that came back.</param>
/// <param name="Elapsed">From sending to the end of the probe (the answer, the close, or the timeout).</param>
/// <param name="Detail">What came back, as Python prints bytes, or the answer's line; null when nothing did.</param>
public sealed record ProbeResult(DiagnoseProtocol Protocol, ProbeOutcome Outcome, int SentBytes, int ReceivedBytes, TimeSpan Elapsed, string? Detail);

/// <summary>A TCP listener of this machine on the diagnosed port.</summary>
/// <param name="Local">Where it listens, as 127.0.0.1:65432 or [::]:65432.</param>
/// <param name="Process">"PID/name" of the process that holds it, when this process may know.</param>
/// <param name="Matches">True when it listens on an address the host resolved to (or on every address).</param>
public sealed record LocalListener(string Local, string? Process, bool Matches);

/// <summary>Everything <see cref="ConnectionDiagnoser"/> found, and the cause it settled on.</summary>
/// <param name="Options">What was asked.</param>
/// <param name="ResolveError">Why the name did not resolve; null when it did.</param>
/// <param name="Addresses">Each address of the host, in the order tried.</param>
/// <param name="Tls">The TLS handshake, when one was made (asked for, or to see whether the server speaks TLS).</param>
/// <param name="Probe">The protocol probe, when a connection was made.</param>
/// <param name="PlainProbe">With TLS asked for and failed: the same probe in plain TCP, which tells a plain server.</param>
/// <param name="Listeners">This machine's listeners on the port, when the host is this machine; null when it is not.</param>
/// <param name="Finding">The cause.</param>
public sealed record Diagnosis(DiagnoseOptions Options, string? ResolveError, IReadOnlyList<AddressCheck> Addresses, TlsCheck? Tls,
    ProbeResult? Probe, ProbeResult? PlainProbe, IReadOnlyList<LocalListener>? Listeners, DiagnosisFinding Finding)
{
    /// <summary>True when everything worked.</summary>
    public bool Succeeded => Finding == DiagnosisFinding.Working;

    /// <summary>The first address that accepted the connection, if any.</summary>
    public AddressCheck? Connected => Addresses.FirstOrDefault(a => a.Connect == ConnectOutcome.Connected);

    /// <summary>The port's listeners at addresses other than the host's.</summary>
    public IEnumerable<LocalListener> Elsewhere => Listeners?.Where(l => !l.Matches) ?? [];

    /// <summary>The endpoint of <paramref name="address"/> as people read it.</summary>
    public string EndPointOf(IPAddress address) => EndPoints.Format(new IPEndPoint(address, Options.Port));
}
