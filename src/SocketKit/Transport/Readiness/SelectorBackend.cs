using System.ComponentModel;
using System.Runtime.InteropServices;

namespace SocketKit.Transport.Readiness;

/// <summary>The mechanism under a <see cref="Selector{TData}"/>, as Python's selectors module has one class for each.</summary>
public enum SelectorMechanism
{
    /// <summary>The best the platform has, as Python's DefaultSelector: epoll on Linux, kqueue on macOS and the BSDs, poll elsewhere.</summary>
    Default,

    /// <summary>Linux's epoll, level-triggered: a wait costs in proportion to the ready sockets, not the registered ones.</summary>
    Epoll,

    /// <summary>kqueue, on macOS and the BSDs: like epoll, a wait costs in proportion to the ready sockets.</summary>
    Kqueue,

    /// <summary>poll(2) (WSAPoll on Windows): everywhere, but every wait hands the kernel every registered socket.</summary>
    Poll,
}

/// <summary>
/// One readiness mechanism: sockets are registered under a token (a small number the selector chooses), and a wait
/// reports the tokens that are ready with what for. Errors and hang-ups are reported as readiness for what the
/// socket waits for, as Python's selectors do, so the next read or write surfaces them.
/// </summary>
internal abstract class SelectorBackend : IDisposable
{
    public static SelectorMechanism Resolve(SelectorMechanism mechanism) => mechanism switch
    {
        SelectorMechanism.Default when OperatingSystem.IsLinux() => SelectorMechanism.Epoll,
        SelectorMechanism.Default when OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() => SelectorMechanism.Kqueue,
        SelectorMechanism.Default => SelectorMechanism.Poll,
        _ => mechanism,
    };

    public static SelectorBackend Create(SelectorMechanism mechanism) => Resolve(mechanism) switch
    {
        SelectorMechanism.Epoll when OperatingSystem.IsLinux() => new EpollSelectorBackend(),
        SelectorMechanism.Kqueue when OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() => new KqueueSelectorBackend(),
        SelectorMechanism.Poll => new PollSelectorBackend(),
        var other => throw new PlatformNotSupportedException($"{other.ToString().ToLowerInvariant()} is not available on this platform"),
    };

    /// <summary>Starts watching <paramref name="descriptor"/> (a socket's handle); <paramref name="exclusive"/> wakes only one of several selectors sharing it.</summary>
    public abstract void Add(nint descriptor, int token, SelectorEvents events, bool exclusive);

    public abstract void Change(nint descriptor, int token, SelectorEvents from, SelectorEvents to);

    /// <summary>Stops watching <paramref name="descriptor"/>; <paramref name="closing"/>: it is about to be closed, which removes it from epoll and kqueue by itself.</summary>
    public abstract void Remove(nint descriptor, int token, SelectorEvents events, bool closing);

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: no limit) and appends what is ready; a signal's interruption reports nothing.</summary>
    public abstract void Wait(List<(int Token, SelectorEvents Events)> ready, int timeoutMilliseconds);

    public abstract void Dispose();

    /// <summary>A failed system call as an exception that says which call and why, in the system's words.</summary>
    protected static IOException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {new Win32Exception(errno).Message}", errno);
    }
}
