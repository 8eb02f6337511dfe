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
        int i = Array.BinarySearch(RangeStarts, codePoint);
        if (i >= 0)
        {
            return true;
        }
        int range = ~i - 1; // The last run starting below the code point.
        return range >= 0 && codePoint <= RangeEnds[range];
    }
}
