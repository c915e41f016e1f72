using Microsoft.Extensions.Options;

namespace Streaming.Operator.Access;

/// <summary>Says once at start that the page answers 401 to everyone, so a missing setting is found in the log and not by a puzzled operator.</summary>
public sealed partial class ClosedWarning(IOptions<OperatorOptions> options, ILogger<ClosedWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Closed)
        {
            LogClosed();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The operator view is closed: no Operator:Token is configured, so /operator answers 401 to everyone")]
    private partial void LogClosed();
}
