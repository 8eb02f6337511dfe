using SocketKit.Transport.Readiness;
namespace SocketKit.Tests.Transport;

// The engine conformance suite again over every other transport: reference vectors byte for byte, echo,
// multiconn and the app client, each engine over IPv6 loopback, a dual-stack "::" listener reached on
// 127.0.0.1, and a Unix domain socket; and over TLS for every engine (each through the same TLS byte layer, a TlsPump
// per connection).

public sealed class BlockingEngineOverIpv6Tests() : EngineConformanceTests(EngineKind.Blocking, TestTransport.Ipv6);

public sealed class SelectEngineOverIpv6Tests() : EngineConformanceTests(EngineKind.Select, TestTransport.Ipv6);

public sealed class BlockingEngineOverDualStackTests() : EngineConformanceTests(EngineKind.Blocking, TestTransport.DualStack);

public sealed class SelectEngineOverDualStackTests() : EngineConformanceTests(EngineKind.Select, TestTransport.DualStack);

public sealed class BlockingEngineOverUnixSocketTests() : EngineConformanceTests(EngineKind.Blocking, TestTransport.Unix);

public sealed class SelectEngineOverUnixSocketTests() : EngineConformanceTests(EngineKind.Select, TestTransport.Unix);

public sealed class BlockingEngineOverTlsTests() : EngineConformanceTests(EngineKind.Blocking, TestTransport.Tls);

public sealed class SelectEngineOverTlsTests() : EngineConformanceTests(EngineKind.Select, TestTransport.Tls);

// The select engine again on poll (the mechanism of platforms without epoll or kqueue, forced here on Linux), over
// plain TCP and TLS, and on one loop (the tutorial's one thread) where it otherwise runs one loop per core.

public sealed class SelectEngineOnPollTests() : EngineConformanceTests(EngineKind.Select)
{
    protected override ServerOptions Options() => base.Options() with { SelectorMechanism = SelectorMechanism.Poll };
}

public sealed class SelectEngineOnPollOverTlsTests() : EngineConformanceTests(EngineKind.Select, TestTransport.Tls)
{
    protected override ServerOptions Options() => base.Options() with { SelectorMechanism = SelectorMechanism.Poll };
}

public sealed class SelectEngineOnOneLoopTests() : EngineConformanceTests(EngineKind.Select)
{
    protected override ServerOptions Options() => base.Options() with { Loops = 1 };
}

public sealed class SelectEngineOnFourLoopsOverUnixSocketTests() : EngineConformanceTests(EngineKind.Select, TestTransport.Unix)
{
    protected override ServerOptions Options() => base.Options() with { Loops = 4 };
}
