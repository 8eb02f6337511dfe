using System.Text;

namespace SocketKit.Protocol.Python;

/// <summary>Writes bytes as Python's repr(bytes) does (b'Hello, world'), so output reads like the tutorial's.</summary>
public static class PythonBytes
{
    /// <summary>The Python literal for <paramref name="bytes"/>; past <paramref name="maxBytes"/>, the rest is elided with a count.</summary>
    public static string Repr(ReadOnlySpan<byte> bytes, int maxBytes = int.MaxValue)
    {
        ReadOnlySpan<byte> shown = bytes.Length > maxBytes ? bytes[..maxBytes] : bytes;
        // Python picks double quotes only when the bytes hold a single quote and no double quote.
        char quote = shown.Contains((byte)'\'') && !shown.Contains((byte)'"') ? '"' : '\'';
        var sb = new StringBuilder(shown.Length + 3).Append('b').Append(quote);
        foreach (byte b in shown)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case var q when q == quote: sb.Append('\\').Append(quote); break;
                case >= 0x20 and < 0x7f: sb.Append((char)b); break;
                default: sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }
        sb.Append(quote);
        if (bytes.Length > shown.Length)
        {
            sb.Append($" ... ({bytes.Length - shown.Length:N0} more bytes)");
        }
        return sb.ToString();
    }
}
