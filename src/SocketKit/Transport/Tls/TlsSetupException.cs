namespace SocketKit.Transport.Tls;

/// <summary>TLS cannot start because of what it was given: a missing or unreadable certificate, key or CA file.</summary>
public sealed class TlsSetupException(string message, Exception? inner = null) : Exception(message, inner);
