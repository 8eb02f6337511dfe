using System.Diagnostics;
using System.Net.NetworkInformation;

namespace SocketKit.Diagnostics.Ping;

/// <summary>
/// Sends probes: ICMP echo requests (what ping sends) or TCP connects (which answer what ICMP cannot:
/// does anything listen on that port?). Times every answer with a Stopwatch, since
/// <see cref="PingReply.RoundtripTime"/> is whole milliseconds (0 on loopback).
/// </summary>
public static class Pinger
{
    /// <summary>Sends one ICMP echo request with <paramref name="payloadBytes"/> bytes of data and waits up to <paramref name="timeout"/>.</summary>
    /// <remarks>
    /// IPv4 goes over a raw socket when this process may open one (root, or CAP_NET_RAW), so the reply's TTL is known;
    /// otherwise, and for IPv6, over .NET's <see cref="System.Net.NetworkInformation.Ping"/>, which reports no reply TTL
    /// on Linux (its figure is the request's), so <see cref="PingProbe.Ttl"/> is then null.
    /// </remarks>
    /// <exception cref="IcmpUnavailableException">This process may send ICMP by none of the ways Linux offers.</exception>
    public static async Task<PingProbe> IcmpAsync(IPAddress address, int sequence, int payloadBytes, TimeSpan timeout)
    {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)i;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork && RawIcmpV4.TryOpen() is { } raw)
        {
            using (raw)
            {
                return await RawIcmpV4.EchoAsync(raw, address, sequence, payload, timeout);
            }
        }
        using var ping = new System.Net.NetworkInformation.Ping();
        long started = Stopwatch.GetTimestamp();
        PingReply reply;
        try
        {
            reply = await ping.SendPingAsync(address, timeout, payload, new PingOptions { DontFragment = false });
        }
        catch (PingException ex)
        {
            return new PingProbe(sequence, address, PingOutcome.Failed, TimeSpan.Zero, Detail: ex.InnerException?.Message ?? ex.Message);
        }
        catch (PlatformNotSupportedException ex)
        {
            // .NET's last resort, the system's ping program, is not there either.
            throw new IcmpUnavailableException(ex);
        }
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        return reply.Status switch
        {
            IPStatus.Success => new PingProbe(sequence, address, PingOutcome.Replied, elapsed, Ttl: null, reply.Buffer.Length + 8),
            IPStatus.TimedOut or IPStatus.TimeExceeded => new PingProbe(sequence, address, PingOutcome.TimedOut, TimeSpan.Zero, Detail: "no reply"),
            IPStatus.DestinationHostUnreachable => Unreachable(sequence, address, network: false),
            IPStatus.DestinationNetworkUnreachable => Unreachable(sequence, address, network: true),
            _ => new PingProbe(sequence, address, PingOutcome.Failed, TimeSpan.Zero, Detail: reply.Status.ToString()),
        };
    }

    /// <summary>An ICMP "destination unreachable" answer, in iputils' words.</summary>
    internal static PingProbe Unreachable(int sequence, IPAddress address, bool network) => network
        ? new PingProbe(sequence, address, PingOutcome.Unreachable, TimeSpan.Zero, Kind: SocketErrorKind.NetworkUnreachable, Detail: "Destination Net Unreachable")
        : new PingProbe(sequence, address, PingOutcome.Unreachable, TimeSpan.Zero, Kind: SocketErrorKind.HostUnreachable, Detail: "Destination Host Unreachable");

    /// <summary>Opens one TCP connection to <paramref name="endPoint"/> and closes it; the time is that of the three-way handshake.</summary>
    public static async Task<PingProbe> TcpAsync(IPEndPoint endPoint, int sequence, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        long started = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(endPoint, timer.Token);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            // An RST instead of a FIN: the probe sends nothing, and a reset leaves no TIME_WAIT behind on the server side.
            socket.LingerState = new LingerOption(true, 0);
            return new PingProbe(sequence, endPoint.Address, PingOutcome.Replied, elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ClassifyTcpFailure(sequence, endPoint.Address, SocketError.TimedOut);
        }
        catch (SocketException ex)
        {
            return ClassifyTcpFailure(sequence, endPoint.Address, ex.SocketErrorCode);
        }
    }

    /// <summary>Says how a TCP probe that failed with <paramref name="error"/> ended: refused (host up, port closed), timed out (dropped), unreachable.</summary>
    public static PingProbe ClassifyTcpFailure(int sequence, IPAddress address, SocketError error)
    {
        SocketErrorKind kind = SocketErrorGuide.Classify(error);
        PingOutcome outcome = kind switch
        {
            SocketErrorKind.ConnectionRefused => PingOutcome.Refused,
            SocketErrorKind.TimedOut => PingOutcome.TimedOut,
            SocketErrorKind.HostUnreachable or SocketErrorKind.NetworkUnreachable => PingOutcome.Unreachable,
            _ => PingOutcome.Failed,
        };
        return new PingProbe(sequence, address, outcome, TimeSpan.Zero, Kind: kind, Detail: SocketErrorGuide.For(kind).Summary);
    }

    /// <summary>
    /// Sends <paramref name="count"/> probes (null: until cancelled) one <paramref name="interval"/> apart, reporting each
    /// to <paramref name="onProbe"/>; returns the statistics. Cancellation ends the run early without throwing, as Ctrl+C ends ping.
    /// </summary>
    public static async Task<(PingStatistics Statistics, TimeSpan Elapsed)> RunAsync(Func<int, Task<PingProbe>> probe, int? count, TimeSpan interval,
        Action<PingProbe> onProbe, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var statistics = new PingStatistics();
        long started = time.GetTimestamp();
        for (int sequence = 1; count is null || sequence <= count; sequence++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            long sent = time.GetTimestamp();
            statistics.Sent();
            PingProbe result = await probe(sequence);
            if (result.Outcome == PingOutcome.Replied)
            {
                statistics.Answered(result.RoundTrip.TotalMilliseconds);
            }
            onProbe(result);
            if (count is not null && sequence == count)
            {
                break;
            }
            TimeSpan wait = interval - time.GetElapsedTime(sent);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        return (statistics, time.GetElapsedTime(started));
    }
}
