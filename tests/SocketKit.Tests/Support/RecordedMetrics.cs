using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SocketKit.Metrics;

namespace SocketKit.Tests.Support;

/// <summary>Every measurement on the meter for one server port: instrument name, value, tags.</summary>
public sealed class RecordedMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _all = new();

    public RecordedMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SocketKitMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _all.Enqueue((i.Name, v, ToDictionary(tags))));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _all.Enqueue((i.Name, v, ToDictionary(tags))));
        _listener.Start();
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags) d[t.Key] = t.Value;
        return d;
    }

    public List<(double Value, Dictionary<string, object?> Tags)> Of(string name, int port) =>
        _all.Where(m => m.Name == name && m.Tags.TryGetValue("server.port", out object? p) && p is int q && q == port)
            .Select(m => (m.Value, m.Tags)).ToList();

    public double Sum(string name, int port) => Of(name, port).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
