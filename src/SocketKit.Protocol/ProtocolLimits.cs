namespace SocketKit.Protocol;

/// <summary>
/// Bounds the decoder enforces on every message. Each limit is checked at the first byte that
/// decides it, so the verdict never depends on how TCP split the stream.
/// </summary>
public sealed record ProtocolLimits
{
    /// <summary>The largest JSON header the wire format can carry: the protoheader is an unsigned 16-bit length.</summary>
    public const int WireMaxHeaderBytes = ushort.MaxValue;

    /// <summary>The defaults below: 16 KiB of JSON header (the wire allows 65,535), 1 MiB of content, JSON 64 deep.</summary>
    public static ProtocolLimits Default { get; } = new();

    private readonly int _maxHeaderBytes = 16 * 1024;
    private readonly int _maxContentBytes = 1024 * 1024;
    private readonly int _maxJsonDepth = 64;

    /// <summary>
    /// The largest JSON header accepted, in bytes. Default 16 KiB: the reference's headers are about
    /// 100 bytes, so this leaves room for extensions while refusing a 64 KiB header at its first two bytes.
    /// At most <see cref="WireMaxHeaderBytes"/>.
    /// </summary>
    public int MaxHeaderBytes
    {
        get => _maxHeaderBytes;
        init => _maxHeaderBytes = value is >= 1 and <= WireMaxHeaderBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxHeaderBytes), value, $"must be 1 to {WireMaxHeaderBytes} bytes");
    }

    /// <summary>
    /// The largest content accepted, in bytes. Default 1 MiB. A header declaring more is refused as soon as
    /// the header is read, before any content byte is buffered.
    /// </summary>
    public int MaxContentBytes
    {
        get => _maxContentBytes;
        init => _maxContentBytes = value >= 0 && value <= Array.MaxLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxContentBytes), value, $"must be 0 to {Array.MaxLength} bytes");
    }

    /// <summary>The deepest nesting of JSON objects and arrays accepted in a header or in JSON content. Default 64.</summary>
    public int MaxJsonDepth
    {
        get => _maxJsonDepth;
        init => _maxJsonDepth = value is >= 1 and <= 1000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxJsonDepth), value, "must be 1 to 1000");
    }
}
