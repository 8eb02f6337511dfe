namespace SocketKit.Diagnostics.Bench;

/// <summary>One second of the measured part: what was answered in it and how fast (a line of the timeline).</summary>
/// <param name="Second">The second, from 1.</param>
/// <param name="Sent">Requests sent in that second; at a fixed rate, the requests due in it (one its connection sent late counts where the schedule put it, as its latency does).</param>
/// <param name="Completed">Requests answered in that second.</param>
/// <param name="Errors">Failures in that second.</param>
/// <param name="MeanNanoseconds">The mean latency of the requests answered in it; 0 when none was.</param>
/// <param name="MaxNanoseconds">The highest latency answered in it; 0 when none was.</param>
public readonly record struct BenchSecond(int Second, long Sent, long Completed, long Errors, long MeanNanoseconds, long MaxNanoseconds);
