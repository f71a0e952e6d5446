using Microsoft.Extensions.Logging;

namespace Engine.Tests.Fleet;

/// <summary>A logger factory that keeps every formatted line, so tests can say what was logged and how often.</summary>
internal sealed class LogLines : ILoggerProvider
{
    private readonly List<string> _lines = new();

    public ILoggerFactory Factory => LoggerFactory.Create(b => b.AddProvider(this).SetMinimumLevel(LogLevel.Debug));

    public IReadOnlyList<string> Lines { get { lock (_lines) { return _lines.ToList(); } } }

    public int Count(string text) => Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines)
            {
                owner._lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
