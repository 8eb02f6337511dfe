using System.Diagnostics.Metrics;
using SocketKit.Metrics;

namespace SocketKit.Cli.Serving;

/// <summary>
/// Listens to the "SocketKit.Server" meter for one server (by its port) and sums what it hears, for the
/// one-line summaries of <c>--metrics</c>. A <see cref="MeterListener"/> like any other consumer: what it prints
/// is what dotnet-counters or OpenTelemetry would see.
/// </summary>
internal sealed class MetricsSummary : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _port;
    private long _active;
    private long _connections;
    private long _rejected;
    private long _requests;
    private long _requestMicroseconds;
    private long _bytesIn;
    private long _bytesOut;
    private long _protocolErrors;
    private long _timeouts;

    public MetricsSummary(int port)
    {
        _port = port;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SocketKitMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnMeasurement(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == SocketKitMetrics.RequestDuration && IsOurs(tags))
            {
                Interlocked.Add(ref _requestMicroseconds, (long)(value * 1_000_000));
            }
        });
        _listener.Start();
    }

    private void OnMeasurement(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!IsOurs(tags))
        {
            return;
        }
        ref long total = ref _timeouts;
        switch (name)
        {
            case SocketKitMetrics.ActiveConnections: total = ref _active; break;
            case SocketKitMetrics.Connections: total = ref _connections; break;
            case SocketKitMetrics.RejectedConnections: total = ref _rejected; break;
            case SocketKitMetrics.Requests: total = ref _requests; break;
            case SocketKitMetrics.BytesReceived: total = ref _bytesIn; break;
            case SocketKitMetrics.BytesSent: total = ref _bytesOut; break;
            case SocketKitMetrics.ProtocolErrors: total = ref _protocolErrors; break;
            case SocketKitMetrics.Timeouts: break;
            default: return;
        }
        Interlocked.Add(ref total, value);
    }

    private bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "server.port")
            {
                return tag.Value is int port && port == _port;
            }
        }
        return false;
    }

    /// <summary>One line: "metrics: 1 active, 12 connections, 0 rejected, 11 requests (mean 0.213 ms), 1.1 KiB in, 2.3 KiB out, 0 protocol errors, 0 timeouts".</summary>
    public string Line()
    {
        long requests = Interlocked.Read(ref _requests);
        string mean = requests == 0 ? "" : $" (mean {(Interlocked.Read(ref _requestMicroseconds) / 1000.0 / requests).ToString("0.###", CultureInfo.InvariantCulture)} ms)";
        return $"metrics: {Interlocked.Read(ref _active)} active, {Interlocked.Read(ref _connections)} connections, {Interlocked.Read(ref _rejected)} rejected, "
            + $"{requests} requests{mean}, {Bytes(Interlocked.Read(ref _bytesIn))} in, {Bytes(Interlocked.Read(ref _bytesOut))} out, "
            + $"{Interlocked.Read(ref _protocolErrors)} protocol errors, {Interlocked.Read(ref _timeouts)} timeouts";
    }

    /// <summary>The same figures as one JSON object, for <c>--log-format json</c>: every stderr line stays JSON.</summary>
    public string JsonLine(DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            long requests = Interlocked.Read(ref _requests);
            json.WriteStartObject();
            json.WriteString("Timestamp", now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("EventName", "Metrics");
            json.WriteStartObject("Metrics");
            json.WriteNumber("active_connections", Interlocked.Read(ref _active));
            json.WriteNumber("connections", Interlocked.Read(ref _connections));
            json.WriteNumber("rejected_connections", Interlocked.Read(ref _rejected));
            json.WriteNumber("requests", requests);
            json.WriteNumber("request_duration_mean_ms", requests == 0 ? 0 : Interlocked.Read(ref _requestMicroseconds) / 1000.0 / requests);
            json.WriteNumber("bytes_received", Interlocked.Read(ref _bytesIn));
            json.WriteNumber("bytes_sent", Interlocked.Read(ref _bytesOut));
            json.WriteNumber("protocol_errors", Interlocked.Read(ref _protocolErrors));
            json.WriteNumber("timeouts", Interlocked.Read(ref _timeouts));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{(n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB",
        _ => $"{(n / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture)} MiB",
    };

    public void Dispose() => _listener.Dispose();
}
