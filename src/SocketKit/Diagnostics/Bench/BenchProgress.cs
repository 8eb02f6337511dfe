namespace SocketKit.Diagnostics.Bench;

/// <summary>A run in progress, reported about once a second.</summary>
/// <param name="Phase">"connecting", "idle", "warm-up" or "measuring".</param>
/// <param name="Elapsed">Time since the phase began.</param>
/// <param name="Completed">Requests completed in the phase.</param>
/// <param name="Errors">Errors in the phase.</param>
public readonly record struct BenchProgress(string Phase, TimeSpan Elapsed, long Completed, long Errors);
