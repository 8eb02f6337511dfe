using SocketKit.Transport.Errors;

namespace SocketKit.Cli.Explain;

/// <summary>
/// One socket error in every spelling a user meets it: Linux's errno name, number and message, Windows' WSA name,
/// code and message, .NET's SocketError names, Python's exception names; and what it means and what to check.
/// </summary>
/// <param name="Name">The Linux errno name (ECONNREFUSED), getaddrinfo's (EAI_NONAME), or the Windows name for an error Linux has not.</param>
/// <param name="Errno">The Linux errno (111); getaddrinfo's code for EAI_* (negative, as Python prints it); null for none.</param>
/// <param name="Message">Linux's strerror (or gai_strerror) message, as Python prints it after the number.</param>
/// <param name="Kind">The socket error kind the library classifies it as.</param>
/// <param name="WindowsName">The Winsock name (WSAECONNREFUSED), or null.</param>
/// <param name="WindowsCode">The Winsock code (10061), or null.</param>
/// <param name="WindowsMessage">Windows' message for it, as Python's [WinError N] and .NET on Windows print it.</param>
/// <param name="Python">Python's exception names for it (ConnectionRefusedError), most specific first.</param>
/// <param name="Summary">What it means; null to take the library guide's words for <paramref name="Kind"/>.</param>
/// <param name="WhatToCheck">What to check next; null to take the guide's.</param>
internal sealed record KnownError(string Name, int? Errno, string Message, SocketErrorKind Kind, string? WindowsName, int? WindowsCode, string? WindowsMessage,
    string[] Python, string? Summary = null, string? WhatToCheck = null)
{
    /// <summary>.NET's SocketError names for it: on Windows a SocketError's value is the Winsock code.</summary>
    public IReadOnlyList<string> DotNet { get; init; } = [];

    /// <summary>True for getaddrinfo's errors, whose numbers are not errno's.</summary>
    public bool IsResolverError => Name.StartsWith("EAI_", StringComparison.Ordinal);
}
