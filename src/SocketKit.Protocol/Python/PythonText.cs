using System.Globalization;
using System.Text;
using SocketKit.Protocol.Json;

namespace SocketKit.Protocol.Python;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> of the values JSON makes, exactly as CPython 3.11 writes them:
/// what an f-string such as <c>f"No match for '{value}'."</c> puts in the answer.
/// </summary>
public static class PythonText
{
    /// <summary>Python's <c>str(value)</c>: a string as it is, everything else as <see cref="Repr"/>.</summary>
    public static string Str(PythonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Kind == PythonValueKind.Str ? value.AsString! : Repr(value);
    }

    /// <summary>Python's <c>repr(value)</c>: <c>'text'</c>, <c>True</c>, <c>None</c>, <c>1e+16</c>, <c>[1, 'a']</c>, <c>{'k': None}</c>.</summary>
    public static string Repr(PythonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder();
        AppendRepr(sb, value);
        return sb.ToString();
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest text that reads back the same (<c>100.0</c>, <c>1e-05</c>, <c>inf</c>, <c>nan</c>).</summary>
    public static string FloatRepr(double value) =>
        double.IsNaN(value) ? "nan" : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf") : PythonFloat.Format(value);

    /// <summary>Python's <c>repr(str)</c>: quoted and escaped as Python quotes a string inside a list or dict.</summary>
    public static string StrRepr(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2);
        AppendStrRepr(sb, text);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, PythonValue value)
    {
        switch (value.Kind)
        {
            case PythonValueKind.None:
                sb.Append("None");
                break;
            case PythonValueKind.Bool:
                sb.Append(value.AsBool ? "True" : "False");
                break;
            case PythonValueKind.Int:
                sb.Append(value.IntDigits);
                break;
            case PythonValueKind.Float:
                sb.Append(FloatRepr(value.AsFloat));
                break;
            case PythonValueKind.Str:
                AppendStrRepr(sb, value.AsString!);
                break;
            case PythonValueKind.List:
                sb.Append('[');
                for (int i = 0; i < value.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, value.Items[i]);
                }
                sb.Append(']');
                break;
            case PythonValueKind.Dict:
                sb.Append('{');
                for (int i = 0; i < value.Members.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendStrRepr(sb, value.Members[i].Key);
                    sb.Append(": ");
                    AppendRepr(sb, value.Members[i].Value);
                }
                sb.Append('}');
                break;
        }
    }

    // CPython's unicode_repr: single quotes unless the text holds ' and no ".
    private static void AppendStrRepr(StringBuilder sb, string text)
    {
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            if (cp == quote || cp == '\\')
            {
                sb.Append('\\').Append((char)cp);
            }
            else if (cp == '\t') sb.Append("\\t");
            else if (cp == '\n') sb.Append("\\n");
            else if (cp == '\r') sb.Append("\\r");
            else if (cp < ' ' || cp == 0x7F) sb.Append(CultureInfo.InvariantCulture, $"\\x{cp:x2}");
            else if (cp < 0x7F || PythonPrintable.IsPrintable(cp)) AppendCodePoint(sb, cp);
            else if (cp <= 0xFF) sb.Append(CultureInfo.InvariantCulture, $"\\x{cp:x2}");
            else if (cp <= 0xFFFF) sb.Append(CultureInfo.InvariantCulture, $"\\u{cp:x4}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\U{cp:x8}");
        }
        sb.Append(quote);
    }

    // Printable code points are never surrogates, so each one is a char or a valid pair.
    private static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp > 0xFFFF) sb.Append(char.ConvertFromUtf32(cp));
        else sb.Append((char)cp);
    }
}
