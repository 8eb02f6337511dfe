using System.Buffers;
using SharpFuzz;
using SocketKit.Protocol;

// Feeds each AFL++ input to the decoder in two pieces (split at the first byte's value), then decodes the content of
// every whole message as JSON in its declared encoding. A ProtocolException is the expected verdict on bad bytes;
// any other exception is a finding, and AFL++ records the input as a crash.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    byte[] bytes = memory.ToArray();
    int cut = bytes.Length == 0 ? 0 : bytes[0] % (bytes.Length + 1);
    var decoder = new MessageDecoder(new ProtocolLimits { MaxContentBytes = 64 * 1024 });
    try
    {
        byte[] pending = [];
        foreach ((int start, int end) in new[] { (0, cut), (cut, bytes.Length) })
        {
            pending = [.. pending, .. bytes.AsSpan(start, end - start)];
            var data = new ReadOnlySequence<byte>(pending);
            while (decoder.TryDecode(ref data, out Message message))
            {
                if (message.Header.IsJson)
                {
                    JsonContent.Parse(message.Content, message.Header.ContentEncoding).Dispose();
                }
            }
            pending = data.ToArray();
        }
        decoder.CompleteAtEndOfStream(pending.Length);
    }
    catch (ProtocolException)
    {
    }
});
