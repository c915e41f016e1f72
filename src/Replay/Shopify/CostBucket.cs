using System.Text.Json.Nodes;

namespace Streaming.Replay.Shopify;

/// <summary>Shopify's leaky bucket of query cost as its last answer described it (the <c>extensions.cost</c> of every answer).</summary>
internal sealed class CostBucket
{
    private double? _requested;
    private double? _available;
    private double? _restoreRate;

    public void Update(JsonNode? cost)
    {
        if (cost is null)
        {
            return;
        }

        _requested = Number(cost["requestedQueryCost"]) ?? _requested;
        var status = cost["throttleStatus"];
        _available = Number(status?["currentlyAvailable"]) ?? _available;
        _restoreRate = Number(status?["restoreRate"]) ?? _restoreRate;
    }

    /// <summary>Before a request: long enough for the bucket to pay what the last request cost.</summary>
    public TimeSpan WaitBefore()
    {
        if (_requested is not { } requested || _available is not { } available || _restoreRate is not > 0 || available >= requested)
        {
            return TimeSpan.Zero;
        }

        var wait = TimeSpan.FromSeconds((requested - available) / _restoreRate.Value);
        _available = requested;
        return wait;
    }

    /// <summary>After a throttled answer: what the bucket lacks at its refill rate, at least a second.</summary>
    public TimeSpan WaitForRequested()
    {
        var lacking = (_requested ?? 0) - (_available ?? 0);
        var seconds = _restoreRate is > 0 ? lacking / _restoreRate.Value : 1;
        _available = null;
        return TimeSpan.FromSeconds(Math.Max(1, seconds));
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;
}
