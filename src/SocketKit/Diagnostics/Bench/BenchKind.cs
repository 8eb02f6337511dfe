namespace SocketKit.Diagnostics.Bench;

/// <summary>Which protocol a benchmark speaks.</summary>
public enum BenchKind
{
    /// <summary>The echo protocol: send a message of <see cref="BenchOptions.MessageBytes"/>, wait for every byte back.</summary>
    Echo,

    /// <summary>The application protocol: send a request, wait for its whole response.</summary>
    App,
}
