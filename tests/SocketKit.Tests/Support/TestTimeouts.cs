namespace SocketKit.Tests.Support;

/// <summary>
/// How long a socket test waits for one step (a server to answer, a line to appear, a host to stop) before it fails:
/// generous for a loaded machine, and short enough that a hang fails the test instead of the run.
/// </summary>
public static class TestTimeouts
{
    /// <summary>One step of a test against an in-process or hosted server: 20 seconds.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a test watches for something that must not happen yet (a close, an answer before its gate opens): 300
    /// milliseconds. A break shows at once on most runs, so a short watch catches it without slowing the suite.
    /// </summary>
    public static readonly TimeSpan ShortWait = TimeSpan.FromMilliseconds(300);

    /// <summary>One step of a test that starts a sample as its own process (a <c>dotnet run</c> build may come first): 30 seconds.</summary>
    public static readonly TimeSpan SampleStartup = TimeSpan.FromSeconds(30);
}
