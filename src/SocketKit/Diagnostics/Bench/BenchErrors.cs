namespace SocketKit.Diagnostics.Bench;

/// <summary>The kinds a bench run counts its failures under, in words (the keys of <see cref="BenchResult.Errors"/>).</summary>
public static class BenchErrors
{
    /// <summary>A connect refused (ECONNREFUSED): nothing listens there.</summary>
    public const string Refused = "refused";

    /// <summary>The server reset the connection (ECONNRESET, EPIPE, ECONNABORTED).</summary>
    public const string Reset = "reset";

    /// <summary>The server closed the connection before the whole answer came.</summary>
    public const string Closed = "closed";

    /// <summary>No answer (or connect, or handshake) within <see cref="BenchOptions.Timeout"/>.</summary>
    public const string TimedOut = "timed out";

    /// <summary>The answer is not a response of the application protocol (e.g. an echo of the request, or HTTP).</summary>
    public const string NotTheAppProtocol = "not the application protocol";

    /// <summary>With <see cref="BenchOptions.Verify"/>: the answer differs from the expected one.</summary>
    public const string WrongBytes = "wrong bytes";

    /// <summary>The TLS handshake failed.</summary>
    public const string TlsFailed = "TLS failed";

    /// <summary>The words a socket error is counted under: "refused", "reset", "timed out", or its kind in words ("host unreachable").</summary>
    public static string Of(SocketErrorKind kind) => kind switch
    {
        SocketErrorKind.ConnectionRefused => Refused,
        SocketErrorKind.ConnectionReset or SocketErrorKind.ConnectionAborted or SocketErrorKind.BrokenPipe => Reset,
        SocketErrorKind.TimedOut => TimedOut,
        SocketErrorKind.TlsFailed => TlsFailed,
        _ => Words(kind.ToString()),
    };

    private static string Words(string pascal)
    {
        var text = new System.Text.StringBuilder();
        foreach (char c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
