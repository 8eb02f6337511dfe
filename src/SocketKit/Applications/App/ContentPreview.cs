using SocketKit.Protocol.Python;

namespace SocketKit.Applications.App;

/// <summary>
/// A message's content as a log line shows it, bounded: JSON as its text, anything else as a Python bytes literal with
/// its type, at most <see cref="MaxBytes"/> bytes of it and then how many more there were, so a 1 MiB value makes a
/// line of a few hundred characters, not a megabyte.
/// </summary>
internal static class ContentPreview
{
    /// <summary>The most content bytes a preview shows.</summary>
    public const int MaxBytes = 200;

    /// <summary>The most bytes of a binary content shown (its literal takes up to four characters a byte).</summary>
    public const int MaxBinaryBytes = 64;

    /// <summary>The most characters of a content type shown.</summary>
    public const int MaxTypeChars = 64;

    /// <summary>
    /// The longest a preview can be: a cut type, a bytes literal (up to four characters a byte, quotes and the b) and
    /// what says how much more there was; text takes at most a character a byte, so less.
    /// </summary>
    public const int MaxChars = MaxTypeChars + 4 + (4 * MaxBinaryBytes) + 3 + 40;

    public static string Describe(string contentType, string encoding, ReadOnlySpan<byte> content)
    {
        if (contentType == ContentTypes.TextJson && Text(encoding, content) is { } text)
        {
            return text;
        }
        // The client names the type: shown cut short as well. The literal says how many more bytes there were.
        string type = contentType.Length > MaxTypeChars ? contentType[..MaxTypeChars] + "..." : contentType;
        return $"{type} {PythonBytes.Repr(content, MaxBinaryBytes)}";
    }

    private static string? Text(string encoding, ReadOnlySpan<byte> content)
    {
        if (content.Length <= MaxBytes)
        {
            return Decode(encoding, content);
        }
        // A cut may split a character: step back over at most a character's bytes until what is left decodes.
        for (int cut = MaxBytes; cut > MaxBytes - 4; cut--)
        {
            if (Decode(encoding, content[..cut]) is { } text)
            {
                return text + More(content.Length, cut);
            }
        }
        return null;
    }

    private static string? Decode(string encoding, ReadOnlySpan<byte> content)
    {
        try
        {
            return TextEncodings.Decode(encoding, content);
        }
        catch (ProtocolException)
        {
            return null; // Not text in its encoding: shown as bytes.
        }
    }

    // As PythonBytes.Repr says it of the bytes it leaves out.
    private static string More(int length, int shown) =>
        length > shown ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ... ({length - shown:N0} more bytes)") : "";
}
