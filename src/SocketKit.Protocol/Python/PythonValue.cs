using System.Globalization;
using System.Numerics;

namespace SocketKit.Protocol.Python;

/// <summary>
/// A JSON value as Python's <c>json.loads</c> holds it: integers exact at any length, floats that may be
/// infinite or NaN, and objects as dicts (insertion order; of duplicate keys the last value wins, at the
/// place of the first). <see cref="ToString"/> is Python's <c>str()</c>.
/// </summary>
public sealed class PythonValue
{
    private readonly string? _text;
    private readonly double _float;
    private readonly List<PythonValue>? _items;
    private readonly List<KeyValuePair<string, PythonValue>>? _members;
    private readonly Dictionary<string, int>? _index;

    private PythonValue(PythonValueKind kind, string? text = null, double number = 0,
        List<PythonValue>? items = null, List<KeyValuePair<string, PythonValue>>? members = null, Dictionary<string, int>? index = null)
    {
        Kind = kind;
        _text = text;
        _float = number;
        _items = items;
        _members = members;
        _index = index;
    }

    /// <summary>Python's <c>None</c>.</summary>
    public static PythonValue None { get; } = new(PythonValueKind.None);

    /// <summary>Python's <c>True</c>.</summary>
    public static PythonValue True { get; } = new(PythonValueKind.Bool, number: 1);

    /// <summary>Python's <c>False</c>.</summary>
    public static PythonValue False { get; } = new(PythonValueKind.Bool, number: 0);

    /// <summary>Which Python type this is.</summary>
    public PythonValueKind Kind { get; }

    /// <summary>A <c>str</c>.</summary>
    public static PythonValue Str(string value) => new(PythonValueKind.Str, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A <c>float</c>.</summary>
    public static PythonValue Float(double value) => new(PythonValueKind.Float, number: value);

    /// <summary>An <c>int</c>.</summary>
    public static PythonValue Int(BigInteger value) => new(PythonValueKind.Int, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>An <c>int</c> from its decimal digits, optionally after a '-' (as JSON writes it; "-0" is 0).</summary>
    internal static PythonValue IntFromDigits(string literal) =>
        new(PythonValueKind.Int, literal.AsSpan().TrimStart('-').TrimStart('0').IsEmpty ? "0" : literal);

    /// <summary>A <c>bool</c>.</summary>
    public static PythonValue Bool(bool value) => value ? True : False;

    /// <summary>A <c>list</c> of the items given.</summary>
    public static PythonValue List(IEnumerable<PythonValue> items) => new(PythonValueKind.List, items: [.. items]);

    /// <summary>A <c>dict</c> built as Python's <c>dict(pairs)</c> builds it: of duplicate keys the last value wins, at the first's place.</summary>
    public static PythonValue Dict(IEnumerable<KeyValuePair<string, PythonValue>> pairs) => DictOf([.. pairs]);

    /// <summary>As <see cref="Dict"/>, taking <paramref name="pairs"/> over as the dict's members (the reader's own list).</summary>
    internal static PythonValue DictOf(List<KeyValuePair<string, PythonValue>> pairs)
    {
        Dictionary<string, int>? index = pairs.Count > IndexedFrom ? new(pairs.Count, StringComparer.Ordinal) : null;
        int kept = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            KeyValuePair<string, PythonValue> pair = pairs[i];
            int at = index is null ? Find(pairs, kept, pair.Key) : index.TryGetValue(pair.Key, out int found) ? found : -1;
            if (at >= 0)
            {
                pairs[at] = pair;
                continue;
            }
            index?.Add(pair.Key, kept);
            pairs[kept++] = pair;
        }
        pairs.RemoveRange(kept, pairs.Count - kept);
        return new(PythonValueKind.Dict, members: pairs, index: index);
    }

    // Up to this many members a dict is searched in order: cheaper than hashing for the few keys a request has.
    private const int IndexedFrom = 8;

    private static int Find(List<KeyValuePair<string, PythonValue>> members, int count, string key)
    {
        for (int i = 0; i < count; i++)
        {
            if (string.Equals(members[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The text of a <c>str</c>; null for any other kind.</summary>
    public string? AsString => Kind == PythonValueKind.Str ? _text : null;

    /// <summary>The value of a <c>bool</c>.</summary>
    /// <exception cref="InvalidOperationException">This is not a bool.</exception>
    public bool AsBool => Kind == PythonValueKind.Bool ? _float != 0 : throw NotA("bool");

    /// <summary>The value of a <c>float</c>.</summary>
    /// <exception cref="InvalidOperationException">This is not a float.</exception>
    public double AsFloat => Kind == PythonValueKind.Float ? _float : throw NotA("float");

    /// <summary>The value of an <c>int</c>.</summary>
    /// <exception cref="InvalidOperationException">This is not an int.</exception>
    public BigInteger AsInteger => Kind == PythonValueKind.Int ? BigInteger.Parse(_text!, CultureInfo.InvariantCulture) : throw NotA("int");

    /// <summary>The decimal digits of an <c>int</c>, with a '-' when negative, as Python's <c>str()</c> writes them.</summary>
    internal string IntDigits => _text!;

    /// <summary>The items of a <c>list</c>; empty for any other kind.</summary>
    public IReadOnlyList<PythonValue> Items => _items ?? [];

    /// <summary>The key-value pairs of a <c>dict</c> in Python's order; empty for any other kind.</summary>
    public IReadOnlyList<KeyValuePair<string, PythonValue>> Members => _members ?? [];

    /// <summary>Python's <c>d.get(key)</c>: the value of a dict's key, or null when the key is absent or this is no dict.</summary>
    public PythonValue? Get(string key)
    {
        if (_members is null)
        {
            return null;
        }
        int at = _index is null ? Find(_members, _members.Count, key) : _index.TryGetValue(key, out int found) ? found : -1;
        return at >= 0 ? _members[at].Value : null;
    }

    /// <summary>Python's <c>str()</c> of this value.</summary>
    public override string ToString() => PythonText.Str(this);

    private InvalidOperationException NotA(string type) => new($"the value is a Python {Kind.ToString().ToLowerInvariant()}, not a {type}");
}
