using System.Collections.Concurrent;

namespace SocketKit.Tests.Support.Tiers;

/// <summary>
/// Whether this machine has what a test needs, found out (a program is an executable file on PATH; root is the
/// effective user id 0), never assumed. Under <see cref="RequireAllVariable"/>=1 (scripts/test.sh, so CI) a missing
/// requirement fails its tests instead of skipping them, so nothing is skipped without anyone seeing.
/// </summary>
public static class Requirements
{
    /// <summary>Set to 1 where every test must run (CI): a missing requirement is then a failure.</summary>
    public const string RequireAllVariable = "SOCKETKIT_REQUIRE_ALL";

    /// <summary>The one file a program needs beside its executable: the nginx config loads the stream module.</summary>
    private static readonly Dictionary<string, string> s_companions = new(StringComparer.Ordinal)
    {
        ["nginx"] = "/usr/lib/nginx/modules/ngx_stream_module.so",
    };

    private static readonly ConcurrentDictionary<string, string?> s_programs = new(StringComparer.Ordinal);

    public static bool RequireAll => Environment.GetEnvironmentVariable(RequireAllVariable) == "1";

    /// <summary>Why the programs cannot run here, or null when every one of them can.</summary>
    public static string? MissingPrograms(IEnumerable<string> programs)
    {
        string[] missing = [.. programs.Select(program => s_programs.GetOrAdd(program, FindMissing)).OfType<string>()];
        return missing.Length == 0 ? null : string.Join("; ", missing);
    }

    /// <summary>Why this process is not root, or null when it is.</summary>
    public static string? MissingRoot() => Environment.IsPrivilegedProcess
        ? null
        : $"needs root (network namespaces, raw sockets) and runs as user {Environment.UserName}";

    /// <summary>Why a test cannot run here (root first, then programs), or null when it can.</summary>
    public static string? Missing(bool root, IEnumerable<string> programs) =>
        string.Join("; ", new[] { root ? MissingRoot() : null, MissingPrograms(programs) }.OfType<string>()) is { Length: > 0 } why ? why : null;

    private static string? FindMissing(string program)
    {
        if (program == "dotnet-counters")
        {
            // Not on PATH: a tool of its own folder, where scripts/test.sh installs it (Support/DotnetCounters.cs).
            return IsExecutable(DotnetCounters.Program)
                ? null
                : $"needs dotnet-counters {DotnetCounters.Version} in {DotnetCounters.ToolPath}, which scripts/test.sh installs";
        }
        if (!OnPath(program))
        {
            return $"needs {program}, which is not an executable on PATH (scripts/test.sh installs it)";
        }
        return s_companions.TryGetValue(program, out string? file) && !File.Exists(file)
            ? $"needs {file} beside {program} (scripts/test.sh installs it)"
            : null;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => IsExecutable(Path.Combine(directory, program)));

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
