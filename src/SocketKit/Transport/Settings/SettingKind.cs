using SocketKit.Transport.Engines;
namespace SocketKit.Transport.Settings;

/// <summary>
/// The kinds of value a server setting takes. Each kind is read from one text, the same on the command line and in
/// configuration, and written back the same way (in help, in the docs' tables, in errors).
/// </summary>
public enum SettingKind
{
    /// <summary>A duration: 500ms, 30s, 2m, or as configuration writes a TimeSpan, 00:00:30 (<see cref="Durations"/>).</summary>
    Duration,

    /// <summary>A number of bytes: 16KiB, 1MiB, or plain bytes (<see cref="ByteSizes"/>).</summary>
    Size,

    /// <summary>A whole number.</summary>
    Count,

    /// <summary>Bytes per second: a number (240, 512.5) or a size (1KiB).</summary>
    Rate,

    /// <summary>On or off: true or false in configuration, the flag alone on the command line.</summary>
    Switch,

    /// <summary>One of the names of <see cref="EngineKind"/>, in any case.</summary>
    Engine,
}
