namespace SocketKit.Transport.Readiness;

/// <summary>An entry of a <see cref="TimerWheel"/>: its links live in the entry itself, so scheduling allocates nothing.</summary>
internal abstract class TimerWheelEntry
{
    internal TimerWheelEntry? WheelNext;
    internal TimerWheelEntry? WheelPrev;
    internal int WheelSlot = -1;
    /// <summary>When it was asked to come due (a timestamp); long.MaxValue while it is in no slot.</summary>
    internal long WheelDue = long.MaxValue;
}

/// <summary>
/// A hashed timer wheel (as Netty's and Kafka's): time in ticks, a ring of slots each holding the entries due in its
/// tick, so scheduling, moving and removing an entry are O(1) and a tick looks only at what is due in it. An entry due
/// beyond the ring is put in its farthest slot and looked at then, early; its owner reschedules it.
/// </summary>
internal sealed class TimerWheel
{
    private readonly TimerWheelEntry?[] _slots;
    private readonly long _tickLength;
    private long _tick;

    /// <param name="now">The current timestamp.</param>
    /// <param name="tickLength">A tick, in timestamp units.</param>
    /// <param name="slots">How many ticks the ring spans.</param>
    public TimerWheel(long now, long tickLength, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tickLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 2);
        _tickLength = tickLength;
        _slots = new TimerWheelEntry?[slots];
        _tick = now / tickLength;
    }

    public int Count { get; private set; }

    /// <summary>Puts <paramref name="entry"/> in the slot of the first tick at or after <paramref name="due"/> (moving it if it was in one).</summary>
    /// <returns>When that tick starts (a timestamp): from then on <see cref="Advance"/> hands the entry over.</returns>
    public long Schedule(TimerWheelEntry entry, long due)
    {
        Remove(entry);
        entry.WheelDue = due;
        long tick = Math.Clamp((due + _tickLength - 1) / _tickLength, _tick + 1, _tick + _slots.Length - 1);
        int slot = (int)(tick % _slots.Length);
        entry.WheelSlot = slot;
        entry.WheelPrev = null;
        entry.WheelNext = _slots[slot];
        if (entry.WheelNext is not null) entry.WheelNext.WheelPrev = entry;
        _slots[slot] = entry;
        Count++;
        return tick * _tickLength;
    }

    public void Remove(TimerWheelEntry entry)
    {
        if (entry.WheelSlot < 0)
        {
            return;
        }
        if (entry.WheelPrev is null) _slots[entry.WheelSlot] = entry.WheelNext;
        else entry.WheelPrev.WheelNext = entry.WheelNext;
        if (entry.WheelNext is not null) entry.WheelNext.WheelPrev = entry.WheelPrev;
        entry.WheelNext = entry.WheelPrev = null;
        entry.WheelSlot = -1;
        entry.WheelDue = long.MaxValue;
        Count--;
    }

    /// <summary>
    /// An empty wheel catches up with <paramref name="now"/>: nothing advances it while it holds nothing, and an entry
    /// scheduled against a tick long past would be looked at at once.
    /// </summary>
    public void CatchUp(long now)
    {
        if (Count == 0)
        {
            _tick = Math.Max(_tick, now / _tickLength);
        }
    }

    /// <summary>The start of the earliest tick with an entry in it (a timestamp); long.MaxValue when the wheel is empty.</summary>
    public long NextDue()
    {
        if (Count == 0)
        {
            return long.MaxValue;
        }
        for (long tick = _tick + 1; tick < _tick + _slots.Length; tick++)
        {
            if (_slots[(int)(tick % _slots.Length)] is not null)
            {
                return tick * _tickLength;
            }
        }
        return long.MaxValue;
    }

    /// <summary>Moves time to <paramref name="now"/> and hands over (unscheduled) every entry whose tick has come.</summary>
    public void Advance(long now, List<TimerWheelEntry> due)
    {
        long target = now / _tickLength;
        // After a long pause, one turn of the ring covers every slot.
        long from = Math.Max(_tick + 1, target - _slots.Length + 1);
        for (long tick = from; tick <= target; tick++)
        {
            int slot = (int)(tick % _slots.Length);
            while (_slots[slot] is { } entry)
            {
                Remove(entry);
                due.Add(entry);
            }
        }
        _tick = Math.Max(_tick, target);
    }
}
