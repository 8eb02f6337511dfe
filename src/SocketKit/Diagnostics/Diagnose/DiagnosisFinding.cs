namespace SocketKit.Diagnostics.Diagnose;

/// <summary>The one cause a diagnosis settles on: the first step that failed, read with what the others saw.</summary>
public enum DiagnosisFinding
{
    /// <summary>Every step worked: connected, TLS when asked, and the probe was answered in its protocol.</summary>
    Working,

    /// <summary>The host name did not resolve to any address.</summary>
    NameDoesNotResolve,

    /// <summary>Every address refused the connection and nothing on this machine listens on the port.</summary>
    NothingListening,

    /// <summary>Refused, but a listener on the same port at another address of this machine exists.</summary>
    ListeningElsewhere,

    /// <summary>The connection request got no answer at all: a SYN dropped on the way (a firewall) or a host that is down.</summary>
    NoAnswerToConnect,

    /// <summary>No route to the host or its network.</summary>
    Unreachable,

    /// <summary>The connection was reset while it was being made.</summary>
    ResetOnConnect,

    /// <summary>Connected and sent the probe; nothing came back within the timeout.</summary>
    NoAnswer,

    /// <summary>Connected; the server closed the connection without answering.</summary>
    ClosedWithoutAnswer,

    /// <summary>Connected; the server reset the connection after the probe.</summary>
    ResetAfterRequest,

    /// <summary>TLS was asked for, but the server speaks plain TCP.</summary>
    PlainServer,

    /// <summary>Plain TCP was spoken, but the server speaks TLS.</summary>
    TlsServer,

    /// <summary>The TLS handshake worked but the certificate is not trusted, not for this name, or expired.</summary>
    CertificateProblem,

    /// <summary>The TLS handshake failed for another reason.</summary>
    TlsFailed,

    /// <summary>The server answered in HTTP.</summary>
    HttpServer,

    /// <summary>The server sent the probe back: an echo server where the application protocol was expected.</summary>
    EchoServer,

    /// <summary>The server answered with bytes the expected protocol does not read.</summary>
    WrongProtocol,
}
