using System.Buffers;
using System.Text;

namespace Chat;

/// <summary>
/// The chat's framing: UTF-8 text, one message per line ending in '\n' (a '\r' before it is dropped, so telnet and
/// netcat work). A client's first line is its name; every later line is a message, relayed to everyone else as
/// <c>NAME: text</c>. The server's own words to a client start with "* ".
/// </summary>
public static class ChatProtocol
{
    /// <summary>The longest line, in bytes without its '\n': 4 KiB. A client that sends a longer one is told so and closed.</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>The longest name, in characters.</summary>
    public const int MaxNameLength = 32;

    /// <summary>
    /// Takes the next whole line off <paramref name="data"/>, wherever TCP cut the bytes: what is left stays for the
    /// next call, with more bytes.
    /// </summary>
    public static bool TryReadLine(ref ReadOnlySequence<byte> data, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(data);
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            return false;
        }
        data = data.Slice(reader.Position);
        return true;
    }

    /// <summary>The text of a line, without a trailing '\r'; bytes that are not UTF-8 become U+FFFD.</summary>
    public static string Text(ReadOnlySequence<byte> line)
    {
        string text = Encoding.UTF8.GetString(line);
        return text.EndsWith('\r') ? text[..^1] : text;
    }

    /// <summary>A line as sent: UTF-8 with its '\n'.</summary>
    public static byte[] Line(string text) => Encoding.UTF8.GetBytes(text + "\n");
}
