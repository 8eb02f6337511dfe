using System.Collections;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// What one <see cref="Selector{TData}.Select"/> found ready, valid until the next call. A struct with a struct
/// enumerator, as <see cref="List{T}"/>'s is: a loop that runs <c>foreach</c> over it on every wake-up allocates
/// nothing, where the same over an <see cref="IReadOnlyList{T}"/> would box its enumerator each time.
/// </summary>
public readonly struct SelectorReady<TData> : IReadOnlyList<(SelectorKey<TData> Key, SelectorEvents Mask)>
{
    private readonly List<(SelectorKey<TData> Key, SelectorEvents Mask)> _ready;

    internal SelectorReady(List<(SelectorKey<TData> Key, SelectorEvents Mask)> ready) => _ready = ready;

    /// <summary>How many sockets are ready.</summary>
    public int Count => _ready.Count;

    /// <summary>The <paramref name="index"/>th socket ready, with what for.</summary>
    public (SelectorKey<TData> Key, SelectorEvents Mask) this[int index] => _ready[index];

    /// <summary>The ready sockets, without allocating.</summary>
    public List<(SelectorKey<TData> Key, SelectorEvents Mask)>.Enumerator GetEnumerator() => _ready.GetEnumerator();

    IEnumerator<(SelectorKey<TData> Key, SelectorEvents Mask)> IEnumerable<(SelectorKey<TData> Key, SelectorEvents Mask)>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
