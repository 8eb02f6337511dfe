using Microsoft.Extensions.Logging;

namespace SocketKit.Cli.Logging;

/// <summary>
/// <c>--log-format json</c>: one JSON object per line, for log shippers and scripts. The fields follow
/// Microsoft.Extensions.Logging's own JSON console formatter (Timestamp, LogLevel, EventId, EventName,
/// Category, Message, State), so tools that read .NET's logs read these; State holds the structured values
/// (ConnectionId, Remote, ...) under their template names.
/// </summary>
internal sealed class JsonLoggerProvider(TextWriter writer, Lock gate, TimeProvider time) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new JsonLogger(writer, gate, time, categoryName);

    public void Dispose()
    {
    }

    private sealed class JsonLogger(TextWriter writer, Lock gate, TimeProvider time, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("Timestamp", time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteString("LogLevel", logLevel.ToString());
                json.WriteNumber("EventId", eventId.Id);
                if (eventId.Name is not null)
                {
                    json.WriteString("EventName", eventId.Name);
                }
                json.WriteString("Category", category);
                json.WriteString("Message", formatter(state, exception));
                if (exception is not null)
                {
                    json.WriteString("Exception", $"{exception.GetType().Name}: {exception.Message}");
                }
                if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
                {
                    json.WriteStartObject("State");
                    foreach ((string key, object? value) in values)
                    {
                        if (key == "{OriginalFormat}")
                        {
                            continue;
                        }
                        switch (value)
                        {
                            case null:
                                json.WriteNull(key);
                                break;
                            case long or int or short or byte or ulong or uint or double or float or decimal:
                                json.WriteNumber(key, Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                                break;
                            case bool flag:
                                json.WriteBoolean(key, flag);
                                break;
                            default:
                                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                                break;
                        }
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            string line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            lock (gate)
            {
                writer.WriteLine(line);
                writer.Flush();
            }
        }
    }
}
