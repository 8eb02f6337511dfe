using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Tls;

/// <summary>What a probing client handshake (<see cref="TlsStreams.ProbeAsClientAsync"/>) found, every certificate taken so that it can be described.</summary>
/// <param name="Stream">The TLS stream when the handshake completed (it owns the socket then; the caller disposes it); null when it failed.</param>
/// <param name="Certificate">The certificate the server presented, whatever it is; null when it presented none or the handshake failed before.</param>
/// <param name="Errors">What the platform found wrong with the certificate (name, chain), for the caller to judge.</param>
/// <param name="Protocol">The TLS version negotiated; <see cref="SslProtocols.None"/> when the handshake failed.</param>
/// <param name="Problem">Why the handshake failed, in words; null when it completed.</param>
public sealed record TlsProbe(Stream? Stream, X509Certificate2? Certificate, SslPolicyErrors Errors, SslProtocols Protocol, string? Problem);
