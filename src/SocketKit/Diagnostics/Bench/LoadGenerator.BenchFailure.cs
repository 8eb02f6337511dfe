namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>A failure the load generator itself detects.</summary>
    private sealed class BenchFailure(string kind) : Exception(kind);
}
