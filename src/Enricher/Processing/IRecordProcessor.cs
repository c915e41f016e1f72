namespace Streaming.Enricher.Processing;

/// <summary>
/// The enricher's logic for one kind of input: reads and changes the task's state through
/// <paramref name="context"/>, leaves its events and outcomes there, and says what became of the record.
/// </summary>
public interface IRecordProcessor<in TRecord>
{
    /// <param name="at">The record's timestamp: the event time its state changes are stamped with.</param>
    /// <returns>A <see cref="RecordOutcomes"/> value or a <see cref="SkipReasons"/> value.</returns>
    Task<string> ProcessAsync(TRecord record, EnricherShop shop, long at, ProcessorContext context);
}
