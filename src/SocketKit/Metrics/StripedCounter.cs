using System.Runtime.InteropServices;

namespace SocketKit.Metrics;

/// <summary>
/// A count added to on every message from every loop: each processor adds to a cell of its own, on a cache line of
/// its own (as Java's LongAdder), so loops on different cores never contend for one line; reading sums the cells.
/// </summary>
internal sealed class StripedCounter
{
    private readonly Cell[] _cells = new Cell[Math.Min(Environment.ProcessorCount, 64)];

    public void Add(long value)
    {
        // A thread moved to another core meanwhile only adds to another cell: the add is atomic either way.
        Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() % _cells.Length].Value, value);
    }

    public long Sum()
    {
        long sum = 0;
        for (int i = 0; i < _cells.Length; i++)
        {
            sum += Interlocked.Read(ref _cells[i].Value);
        }
        return sum;
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)] // Two lines: adjacent-line prefetch pairs them on x86.
    private struct Cell
    {
        [FieldOffset(64)]
        public long Value;
    }
}
