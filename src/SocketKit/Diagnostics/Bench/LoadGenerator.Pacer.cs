using System.Diagnostics;

namespace SocketKit.Diagnostics.Bench;

public static partial class LoadGenerator
{
    /// <summary>
    /// One connection's schedule in an open loop: with R requests per second over C connections, connection i sends
    /// at i/R, i/R + C/R, i/R + 2C/R, ... from the moment it starts, so the run as a whole sends evenly at R. A request
    /// is due at its time whether or not the one before was answered: when the server falls behind, the connection
    /// sends the overdue ones back to back, and each latency counts from its due time (wrk2's correction of
    /// coordinated omission). A connection that was idle and is woken a little late by its timer (a millisecond
    /// timer, as wrk2's) counts from the moment it sent: that lateness is the load generator's, not the server's.
    /// </summary>
    private sealed class Pacer(double rate, int connections, int index)
    {
        private readonly double _period = connections * Stopwatch.Frequency / rate;
        private readonly double _offset = index * Stopwatch.Frequency / rate;
        private long _start = -1;
        private long _sent;

        /// <summary>The due time of the next request (the first call starts the schedule), and moves on.</summary>
        public long Next()
        {
            if (_start < 0)
            {
                _start = Stopwatch.GetTimestamp();
            }
            return _start + (long)(_offset + (_sent++ * _period));
        }
    }
}
