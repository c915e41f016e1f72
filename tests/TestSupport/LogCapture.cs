using System.Collections.Concurrent;

namespace Streaming.TestSupport;

/// <summary>Keeps every log line a host writes, with the values of the scopes it was written in, so tests can assert on what operators would read.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private Dictionary<string, object?> ScopeValues()
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        _scopes.ForEachScope(
            static (scope, values) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        values[key] = value;
                    }
                }
            },
            values);
        return values;
    }

    private sealed class Logger(string category, LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue(new LogLine(category, logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception}")
            {
                Scope = capture.ScopeValues(),
            });
    }
}

/// <param name="Message">The formatted line.</param>
public sealed record LogLine(string Category, LogLevel Level, string Message)
{
    /// <summary>The values of the scopes the line was written in, innermost last (an inner scope's value wins).</summary>
    public IReadOnlyDictionary<string, object?> Scope { get; init; } = new Dictionary<string, object?>();
}
