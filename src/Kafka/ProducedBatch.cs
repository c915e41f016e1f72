using Confluent.Kafka;

namespace Streaming.Kafka;

/// <summary>
/// The acknowledgements of records produced together, as one task: it completes with the highest offset
/// written once every record is acknowledged, or fails with the first record that failed. One delivery
/// handler per batch instead of a task per record: a request's thousand delivery records or changelog
/// records paid a task, its completion source and a continuation each.
/// </summary>
internal sealed class ProducedBatch
{
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _left;
    private long _highest = -1;

    public ProducedBatch(int count)
    {
        _left = count;
        if (count == 0)
        {
            _done.SetResult(-1);
        }
    }

    public Task<long> Task => _done.Task;

    /// <summary>Called on the producer's delivery thread for each record: keep it short.</summary>
    public void Report(DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _done.TrySetException(new ProduceException<byte[]?, byte[]>(report.Error, report));
            return;
        }

        var offset = report.Offset.Value;
        for (var seen = Volatile.Read(ref _highest); offset > seen; seen = Volatile.Read(ref _highest))
        {
            if (Interlocked.CompareExchange(ref _highest, offset, seen) == seen)
            {
                break;
            }
        }

        if (Interlocked.Decrement(ref _left) == 0)
        {
            _done.TrySetResult(Volatile.Read(ref _highest));
        }
    }

    /// <summary>A record could not even be queued: the batch fails (those already queued are still written).</summary>
    public void Fail(Exception error) => _done.TrySetException(error);
}
