namespace SocketKit.Tests.Support;

/// <summary>Feeds a decoder bytes in chosen pieces, as TCP might deliver them, keeping what it leaves unconsumed.</summary>
public static class Splits
{
    /// <summary>Every way to cut the bytes into two pieces, and one byte at a time.</summary>
    public static IEnumerable<(string Name, int[] Cuts)> Of(int length)
    {
        for (int cut = 0; cut <= length; cut++)
        {
            yield return ($"split at {cut}", [cut]);
        }
        yield return ("one byte at a time", [.. Enumerable.Range(1, Math.Max(0, length - 1))]);
    }

    /// <summary>The pieces <paramref name="cuts"/> makes of <paramref name="bytes"/>, in order.</summary>
    public static IEnumerable<ArraySegment<byte>> Pieces(byte[] bytes, int[] cuts)
    {
        int start = 0;
        foreach (int end in cuts.Append(bytes.Length))
        {
            yield return new ArraySegment<byte>(bytes, start, end - start);
            start = end;
        }
    }

    /// <summary>Decodes all messages from <paramref name="bytes"/> delivered in the pieces <paramref name="cuts"/> makes.</summary>
    public static List<Message> Decode(byte[] bytes, int[] cuts, ProtocolLimits? limits = null)
    {
        var decoder = new MessageDecoder(limits);
        var messages = new List<Message>();
        byte[] pending = [];
        foreach (ArraySegment<byte> piece in Pieces(bytes, cuts))
        {
            pending = [.. pending, .. piece];
            var data = new ReadOnlySequence<byte>(pending);
            while (decoder.TryDecode(ref data, out Message m))
            {
                messages.Add(m with { Content = m.Content.ToArray() });
            }
            pending = data.ToArray();
        }
        decoder.CompleteAtEndOfStream(pending.Length);
        return messages;
    }
}
