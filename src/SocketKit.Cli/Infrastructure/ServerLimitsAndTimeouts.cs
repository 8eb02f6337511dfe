using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// What the limit and timeout flags say: the server's own limits and timeouts, and the protocol's limits, which go to
/// the application protocol's handlers rather than to the transport.
/// </summary>
internal sealed record ServerLimitsAndTimeouts(ServerLimits Limits, ServerTimeouts Timeouts, ProtocolLimits Protocol);
