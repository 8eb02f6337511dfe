namespace SocketKit.Diagnostics.Bench;

/// <summary>A run in progress, reported about once a second; while measuring, once per whole second of the timeline.</summary>
/// <param name="Phase">"connecting", "idle", "warm-up" or "measuring".</param>
/// <param name="Elapsed">Time since the phase began.</param>
/// <param name="Completed">Requests completed in the phase.</param>
/// <param name="Errors">Errors in the phase.</param>
/// <param name="Second">While measuring: the second just over (each reported once, in order); null otherwise.</param>
public readonly record struct BenchProgress(string Phase, TimeSpan Elapsed, long Completed, long Errors, BenchSecond? Second = null);
