namespace SocketKit.Protocol.Proxy;

/// <summary>Why a connection's first bytes are not an acceptable PROXY protocol header.</summary>
public enum ProxyHeaderError
{
    /// <summary>The first bytes match neither the v1 signature ("PROXY ") nor the v2 one.</summary>
    MissingSignature,

    /// <summary>A v1 line with no CRLF within 107 bytes, or a v2 header longer than the decoder's maximum.</summary>
    HeaderTooLarge,

    /// <summary>A v1 line that does not follow the grammar: protocol, addresses and ports in the specified form.</summary>
    MalformedV1,

    /// <summary>A v2 header whose version nibble is not 2.</summary>
    UnsupportedVersion,

    /// <summary>A v2 header whose command is neither LOCAL (0) nor PROXY (1).</summary>
    UnsupportedCommand,

    /// <summary>A v2 address family or transport this server cannot use (UDP, or an unassigned value).</summary>
    UnsupportedAddressFamily,

    /// <summary>A v2 header whose length is shorter than the addresses its family needs.</summary>
    AddressBlockTooShort,

    /// <summary>The peer closed the connection before the whole header arrived.</summary>
    Truncated,
}
