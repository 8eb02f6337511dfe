using System.Threading.Tasks.Sources;

namespace SocketKit.Transport.Tls;

public sealed partial class TlsPump
{
    /// <summary>The pending read's completion, as the SslStream awaits it.</summary>
    private sealed class PendingRead(TlsPump pump) : IValueTaskSource<int>
    {
        public int GetResult(short token) => pump._pendingRead.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => pump._pendingRead.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            pump._pendingRead.OnCompleted(continuation, state, token, flags);
    }
}
