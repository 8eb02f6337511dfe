using System.Text.Json;

namespace SocketKit.Tests.Cli;

/// <summary>
/// explain knows a socket error however the user met it: Linux's errno name or number, Windows' WSA name or code,
/// .NET's SocketError name, Python's exception or its printed line, or a whole pasted line of a traceback or log.
/// </summary>
[Tier(TestTier.Unit)]
public class ExplainCommandTests
{
    /// <summary>Every errno Linux's socket calls (socket, bind, listen, accept, connect, send, recv, setsockopt, close) return, with its number (asm-generic/errno*.h).</summary>
    public static TheoryData<string, int> LinuxSocketErrnos => new()
    {
        { "EPERM", 1 }, { "ENOENT", 2 }, { "EINTR", 4 }, { "EIO", 5 }, { "EBADF", 9 }, { "EAGAIN", 11 }, { "ENOMEM", 12 }, { "EACCES", 13 },
        { "EFAULT", 14 }, { "EINVAL", 22 }, { "ENFILE", 23 }, { "EMFILE", 24 }, { "EPIPE", 32 }, { "ENAMETOOLONG", 36 }, { "ELOOP", 40 },
        { "EPROTO", 71 }, { "ENOTSOCK", 88 }, { "EDESTADDRREQ", 89 }, { "EMSGSIZE", 90 }, { "EPROTOTYPE", 91 }, { "ENOPROTOOPT", 92 },
        { "EPROTONOSUPPORT", 93 }, { "ESOCKTNOSUPPORT", 94 }, { "EOPNOTSUPP", 95 }, { "EPFNOSUPPORT", 96 }, { "EAFNOSUPPORT", 97 },
        { "EADDRINUSE", 98 }, { "EADDRNOTAVAIL", 99 }, { "ENETDOWN", 100 }, { "ENETUNREACH", 101 }, { "ENETRESET", 102 },
        { "ECONNABORTED", 103 }, { "ECONNRESET", 104 }, { "ENOBUFS", 105 }, { "EISCONN", 106 }, { "ENOTCONN", 107 }, { "ESHUTDOWN", 108 },
        { "ETOOMANYREFS", 109 }, { "ETIMEDOUT", 110 }, { "ECONNREFUSED", 111 }, { "EHOSTDOWN", 112 }, { "EHOSTUNREACH", 113 },
        { "EALREADY", 114 }, { "EINPROGRESS", 115 }, { "ECANCELED", 125 },
    };

    [Theory]
    [MemberData(nameof(LinuxSocketErrnos))]
    public async Task EveryLinuxSocketErrnoIsKnownByNameAndByNumber(string name, int number)
    {
        string header = await ExplainAsync(name);
        Assert.StartsWith($"{name} (errno {number}): ", header);
        Assert.Equal(header, await ExplainAsync(number.ToString()));
        Assert.Equal(header, await ExplainAsync(name.ToLowerInvariant()));
    }

    [Theory]
    [InlineData(10004, "WSAEINTR")]
    [InlineData(10009, "WSAEBADF")]
    [InlineData(10013, "WSAEACCES")]
    [InlineData(10014, "WSAEFAULT")]
    [InlineData(10022, "WSAEINVAL")]
    [InlineData(10024, "WSAEMFILE")]
    [InlineData(10035, "WSAEWOULDBLOCK")]
    [InlineData(10036, "WSAEINPROGRESS")]
    [InlineData(10037, "WSAEALREADY")]
    [InlineData(10038, "WSAENOTSOCK")]
    [InlineData(10039, "WSAEDESTADDRREQ")]
    [InlineData(10040, "WSAEMSGSIZE")]
    [InlineData(10041, "WSAEPROTOTYPE")]
    [InlineData(10042, "WSAENOPROTOOPT")]
    [InlineData(10043, "WSAEPROTONOSUPPORT")]
    [InlineData(10044, "WSAESOCKTNOSUPPORT")]
    [InlineData(10045, "WSAEOPNOTSUPP")]
    [InlineData(10046, "WSAEPFNOSUPPORT")]
    [InlineData(10047, "WSAEAFNOSUPPORT")]
    [InlineData(10048, "WSAEADDRINUSE")]
    [InlineData(10049, "WSAEADDRNOTAVAIL")]
    [InlineData(10050, "WSAENETDOWN")]
    [InlineData(10051, "WSAENETUNREACH")]
    [InlineData(10052, "WSAENETRESET")]
    [InlineData(10053, "WSAECONNABORTED")]
    [InlineData(10054, "WSAECONNRESET")]
    [InlineData(10055, "WSAENOBUFS")]
    [InlineData(10056, "WSAEISCONN")]
    [InlineData(10057, "WSAENOTCONN")]
    [InlineData(10058, "WSAESHUTDOWN")]
    [InlineData(10059, "WSAETOOMANYREFS")]
    [InlineData(10060, "WSAETIMEDOUT")]
    [InlineData(10061, "WSAECONNREFUSED")]
    [InlineData(10062, "WSAELOOP")]
    [InlineData(10063, "WSAENAMETOOLONG")]
    [InlineData(10064, "WSAEHOSTDOWN")]
    [InlineData(10065, "WSAEHOSTUNREACH")]
    [InlineData(10067, "WSAEPROCLIM")]
    [InlineData(10091, "WSASYSNOTREADY")]
    [InlineData(10092, "WSAVERNOTSUPPORTED")]
    [InlineData(10093, "WSANOTINITIALISED")]
    [InlineData(10101, "WSAEDISCON")]
    [InlineData(10109, "WSATYPE_NOT_FOUND")]
    [InlineData(11001, "WSAHOST_NOT_FOUND")]
    [InlineData(11002, "WSATRY_AGAIN")]
    [InlineData(11003, "WSANO_RECOVERY")]
    [InlineData(11004, "WSANO_DATA")]
    public async Task EveryWindowsSocketErrorIsKnownByNameAndByCode(int code, string name)
    {
        Support.Cli.Result byCode = await Support.Cli.RunExpectingAsync(0, "explain", code.ToString());
        Assert.Contains($"  Windows: {name} ({code}): ", byCode.Out);
        Support.Cli.Result byName = await Support.Cli.RunAsync("explain", name);
        Assert.Equal(byCode.Out, byName.Out);
    }

    [Fact]
    public async Task EveryDotNetSocketErrorNameIsKnown()
    {
        foreach (string name in Enum.GetNames<SocketError>())
        {
            Support.Cli.Result result = await Support.Cli.RunAsync("explain", name);
            Assert.True(result.ExitCode == 0, $"{name}: {result.Error}");
            Assert.Contains($"SocketError.{name}", result.Out);
        }
    }

    public static TheoryData<string, string> PythonExceptionsAndTheirErrors => new()
    {
        { "ConnectionRefusedError", "ECONNREFUSED" },
        { "ConnectionResetError", "ECONNRESET" },
        { "ConnectionAbortedError", "ECONNABORTED" },
        { "TimeoutError", "ETIMEDOUT" },
        { "socket.timeout", "ETIMEDOUT" },
        { "BrokenPipeError", "EPIPE" },
        { "socket.gaierror", "EAI_NONAME" },
        { "gaierror", "EAI_NONAME" },
        { "BlockingIOError", "EAGAIN" },
        { "InterruptedError", "EINTR" },
        { "PermissionError", "EACCES" },
        { "ssl.SSLCertVerificationError", "TLS" },
    };

    [Theory]
    [MemberData(nameof(PythonExceptionsAndTheirErrors))]
    public async Task PythonsExceptionNamesAreKnown(string exception, string errnoName)
    {
        Assert.Matches($"^{errnoName}( \\(|: )", await ExplainAsync(exception));
    }

    public static TheoryData<string, string, string> PastedLinesAndTheErrorsFoundInThem => new()
    {
        { "[Errno 111] Connection refused", "[Errno 111]", "ECONNREFUSED" },
        { "ConnectionRefusedError: [Errno 111] Connection refused", "[Errno 111]", "ECONNREFUSED" },
        { "ConnectionRefusedError: [WinError 10061] No connection could be made because the target machine actively refused it", "[WinError 10061]", "ECONNREFUSED" },
        { "ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host", "[WinError 10054]", "ECONNRESET" },
        { "socket.gaierror: [Errno -2] Name or service not known", "[Errno -2]", "EAI_NONAME" },
        { "socket.gaierror: [Errno -3] Temporary failure in name resolution", "[Errno -3]", "EAI_AGAIN" },
        { "OSError: [Errno 98] Address already in use", "[Errno 98]", "EADDRINUSE" },
        { "OSError: [Errno 24] Too many open files", "[Errno 24]", "EMFILE" },
        { "BrokenPipeError: [Errno 32] Broken pipe", "[Errno 32]", "EPIPE" },
        { "TimeoutError: timed out", "TimeoutError", "ETIMEDOUT" },
        { "    sock.connect(server_addr)  # raised ConnectionRefusedError", "ConnectionRefusedError", "ECONNREFUSED" },
        { "Unhandled exception. System.Net.Sockets.SocketException (111): Connection refused", "SocketException (111)", "ECONNREFUSED" },
        { "System.Net.Sockets.SocketException (10060): A connection attempt failed", "SocketException (10060)", "ETIMEDOUT" },
        { "error: SocketError.ConnectionReset while reading", "SocketError.ConnectionReset", "ECONNRESET" },
        { "curl: (7) Failed to connect to localhost port 80: Connection refused", "Connection refused", "ECONNREFUSED" },
        { "read: Connection reset by peer", "Connection reset by peer", "ECONNRESET" },
        { "accept4() failed (24: Too many open files)", "Too many open files", "EMFILE" },
        { "2026-12-05 connect() failed: ETIMEDOUT", "ETIMEDOUT", "ETIMEDOUT" },
    };

    [Theory]
    [MemberData(nameof(PastedLinesAndTheErrorsFoundInThem))]
    public async Task APastedLineIsSearchedForItsError(string line, string found, string errnoName)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(0, "explain", line);
        string[] lines = result.Out.Split('\n');
        Assert.Equal($"Found \"{found}\" in the line.", lines[0]);
        Assert.StartsWith($"{errnoName} (", lines[1]);
    }

    [Fact]
    public async Task PythonsPrintedFormsAreShown()
    {
        Support.Cli.Result result = await Support.Cli.RunAsync("explain", "ECONNREFUSED");
        Assert.Contains("  Python:  \"ConnectionRefusedError: [Errno 111] Connection refused\", \"ConnectionRefusedError: [WinError 10061] No connection could be made because the target machine actively refused it\"\n", result.Out);
        Assert.Contains("  .NET:    SocketError.ConnectionRefused\n", result.Out);
    }

    [Fact]
    public async Task ALineWithNoErrorIsAUsageErrorInWords()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "explain", "everything went fine today");
        Assert.Contains("'everything went fine today' is not an error the guide knows, nor does it hold one.", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task JsonSaysWhatWasFoundAndEverySpelling()
    {
        Support.Cli.Result result = await Support.Cli.RunAsync("explain", "ConnectionRefusedError: [WinError 10061] No connection", "--json");
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal("[WinError 10061]", json.RootElement.GetProperty("found").GetString());
        JsonElement entry = Assert.Single(json.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal(("ECONNREFUSED", 111, "WSAECONNREFUSED", 10061), (entry.GetProperty("errno_name").GetString(), entry.GetProperty("errno").GetInt32(),
            entry.GetProperty("windows_name").GetString(), entry.GetProperty("windows_code").GetInt32()));
        Assert.Equal(["ConnectionRefused"], entry.GetProperty("dotnet_names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ConnectionRefusedError"], entry.GetProperty("python_exceptions").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>The first line explain prints for <paramref name="error"/>.</summary>
    private static async Task<string> ExplainAsync(string error)
    {
        Support.Cli.Result result = await Support.Cli.RunAsync("explain", error);
        Assert.True(result.ExitCode == 0, $"{error}: {result.Error}");
        return result.Out.Split('\n')[0];
    }
}
