namespace SocketKit.Protocol.Python;

/// <summary>
/// Python's <c>str.isprintable()</c> for one code point, from the table that scripts/generate-python-tables.py
/// derives from CPython's own unicodedata (.NET's Unicode data is of another version and would differ).
/// </summary>
internal static partial class PythonPrintable
{
    /// <summary>True when Python's repr() writes the code point raw rather than escaped.</summary>
    public static bool IsPrintable(int codePoint)
    {
        // No run ends at int.MaxValue, so the search never finds its key: it gives the first run starting above the code point.
        int next = ~Array.BinarySearch(Runs, (codePoint, int.MaxValue));
        return next > 0 && codePoint <= Runs[next - 1].Last;
    }
}
