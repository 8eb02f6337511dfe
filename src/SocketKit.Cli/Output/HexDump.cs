namespace SocketKit.Cli.Output;

/// <summary>
/// Bytes as <c>hexdump -C</c> prints them: an offset, 16 bytes in hex in two groups of 8, the same bytes as
/// printable ASCII between bars, a line that repeats the one before shown as one "*", and the end offset last.
/// </summary>
internal static class HexDump
{
    /// <summary>The dump of <paramref name="bytes"/>, whose first byte is at <paramref name="offset"/> of its stream.</summary>
    public static string Format(ReadOnlySpan<byte> bytes, long offset = 0)
    {
        if (bytes.IsEmpty)
        {
            return ""; // hexdump prints nothing for no input.
        }
        var text = new StringBuilder();
        ReadOnlySpan<byte> previous = default;
        bool squeezing = false;
        for (int at = 0; at < bytes.Length; at += 16)
        {
            ReadOnlySpan<byte> line = bytes.Slice(at, Math.Min(16, bytes.Length - at));
            if (line.Length == 16 && previous.Length == 16 && line.SequenceEqual(previous))
            {
                if (!squeezing)
                {
                    text.Append("*\n");
                    squeezing = true;
                }
                continue;
            }
            squeezing = false;
            previous = line;
            text.Append((offset + at).ToString("x8", CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                text.Append(i < line.Length ? line[i].ToString("x2", CultureInfo.InvariantCulture) + " " : "   ");
                if (i == 7)
                {
                    text.Append(' ');
                }
            }
            text.Append(" |");
            foreach (byte b in line)
            {
                text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }
            text.Append("|\n");
        }
        text.Append((offset + bytes.Length).ToString("x8", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }
}
