using SocketKit.Tests.Support;
using SocketKit.Transport;

namespace SocketKit.Tests.Transport;

// The engine conformance suite again over every other transport: reference vectors byte for byte, echo,
// multiconn and the app client, each engine over IPv6 loopback, a dual-stack "::" listener reached on
// 127.0.0.1, and a Unix domain socket; and over TLS for every engine (blocking and async through SslStreams, the
// select engine through a TlsPump per connection on its one loop).

public sealed class BlockingEngineOverIpv6Tests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Blocking;
    protected override TestTransport Transport => TestTransport.Ipv6;
}

public sealed class SelectEngineOverIpv6Tests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Select;
    protected override TestTransport Transport => TestTransport.Ipv6;
}

public sealed class AsyncEngineOverIpv6Tests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Async;
    protected override TestTransport Transport => TestTransport.Ipv6;
}

public sealed class BlockingEngineOverDualStackTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Blocking;
    protected override TestTransport Transport => TestTransport.DualStack;
}

public sealed class SelectEngineOverDualStackTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Select;
    protected override TestTransport Transport => TestTransport.DualStack;
}

public sealed class AsyncEngineOverDualStackTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Async;
    protected override TestTransport Transport => TestTransport.DualStack;
}

public sealed class BlockingEngineOverUnixSocketTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Blocking;
    protected override TestTransport Transport => TestTransport.Unix;
}

public sealed class SelectEngineOverUnixSocketTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Select;
    protected override TestTransport Transport => TestTransport.Unix;
}

public sealed class AsyncEngineOverUnixSocketTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Async;
    protected override TestTransport Transport => TestTransport.Unix;
}

public sealed class BlockingEngineOverTlsTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Blocking;
    protected override TestTransport Transport => TestTransport.Tls;
}

public sealed class SelectEngineOverTlsTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Select;
    protected override TestTransport Transport => TestTransport.Tls;
}

public sealed class AsyncEngineOverTlsTests : EngineConformanceTests
{
    protected override EngineKind Engine => EngineKind.Async;
    protected override TestTransport Transport => TestTransport.Tls;
}
