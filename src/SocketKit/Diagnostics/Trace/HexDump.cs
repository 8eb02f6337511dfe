using System.Text;

namespace SocketKit.Diagnostics.Trace;

/// <summary>Formats bytes as hexdump -C does: offset, 16 bytes in hex, and their printable ASCII.</summary>
public static class HexDump
{
    /// <summary>The dump of <paramref name="bytes"/>, each line prefixed with <paramref name="indent"/>; past <paramref name="maxBytes"/>, a count of what was left out.</summary>
    public static string Format(ReadOnlySpan<byte> bytes, string indent = "    ", int maxBytes = 512)
    {
        var sb = new StringBuilder();
        int shown = Math.Min(bytes.Length, maxBytes);
        for (int offset = 0; offset < shown; offset += 16)
        {
            ReadOnlySpan<byte> line = bytes.Slice(offset, Math.Min(16, shown - offset));
            sb.Append(indent).Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                sb.Append(i < line.Length ? line[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + " " : "   ");
                if (i == 7) sb.Append(' ');
            }
            sb.Append(" |");
            foreach (byte b in line)
            {
                sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }
            sb.Append("|\n");
        }
        if (bytes.Length > shown)
        {
            sb.Append(indent).Append($"... {bytes.Length - shown:N0} more bytes\n");
        }
        return sb.ToString();
    }
}
