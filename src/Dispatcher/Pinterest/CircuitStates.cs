using System.Collections.Concurrent;
using Polly.CircuitBreaker;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// The circuit of each ad account the HTTP pipeline built one for, readable from outside the pipeline:
/// the gauge <c>pipeline.dispatcher.circuit.state</c> reports them.
/// </summary>
public sealed class CircuitStates
{
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);

    /// <summary>A state provider for the circuit breaker of a new pipeline of <paramref name="adAccountId"/>.</summary>
    public CircuitBreakerStateProvider Track(string adAccountId)
    {
        // A provider serves one breaker: a pipeline built again gets a new one, which replaces the old.
        var provider = new CircuitBreakerStateProvider();
        _circuits[adAccountId] = provider;
        return provider;
    }

    /// <summary>Each ad account's circuit: 0 closed, 1 half-open (a trial request is out), 2 open (requests refused).</summary>
    public IEnumerable<(string AdAccountId, int State)> Snapshot() =>
        _circuits.Select(c => (c.Key, c.Value.CircuitState switch
        {
            CircuitState.Closed => 0,
            CircuitState.HalfOpen => 1,
            _ => 2,
        }));
}
