using System.Diagnostics;
using Streaming.Enricher.Output;
using Streaming.Enricher.Processing;
using Streaming.Enricher.Tasks;

namespace Streaming.Enricher.Batches;

/// <summary>
/// One unit of the enricher's work (a batch of records, a punctuation, the release at the end of a
/// replay) over the tasks it enters. Its events and outcomes are written first; only once they are
/// acknowledged are the tasks' state changes committed (changelog, then disk), so state that says "sent"
/// is never ahead of what was sent. When anything fails, every task it entered is rolled back, and a
/// retried batch starts from the state this one started from. The spans of the releases it made end with
/// it: each of their events is written under its own, the others under whatever span runs the batch.
/// </summary>
public sealed partial class EnrichmentBatch(
    IEnrichmentOutput output, PipelineTelemetry telemetry, TimeProvider clock, ILogger logger, IDeadLetterEraser? deadLetterEraser = null)
{
    private readonly List<(PartitionTask Task, ProcessorContext Context)> _entered = [];

    /// <summary>The task's context for this batch, the same on every call: the task takes part in the commit, or the rollback.</summary>
    public ProcessorContext Enter(PartitionTask task)
    {
        foreach (var (entered, context) in _entered)
        {
            if (entered == task)
            {
                return context;
            }
        }

        var opened = task.Open();
        _entered.Add((task, opened));
        return opened;
    }

    /// <summary>Does the work, then writes its events and commits its state; on any failure, rolls back its state and rethrows.</summary>
    public async Task RunAsync(Func<EnrichmentBatch, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(this);
            await CommitAsync(cancellationToken);
        }
        catch (Exception e)
        {
            Rollback();
            EndReleases(e);
            throw;
        }

        EndReleases(failure: null);
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        var results = _entered.Select(e => e.Context.Output).ToList();
        // Events first, state after: state that says "sent" is never ahead of what was sent.
        var deliveries = new List<Task>();
        foreach (var result in results)
        {
            foreach (var pinterestEvent in result.Events)
            {
                deliveries.Add(await EnqueueAsync(pinterestEvent, result.SpanOf(pinterestEvent), cancellationToken));
            }
        }

        // What became of the inputs goes with the events: a retried batch writes both again, or neither.
        var decidedAt = clock.GetUtcNow().UtcDateTime;
        foreach (var outcome in results.SelectMany(r => r.Decisions))
        {
            outcome.DecidedAt = decidedAt;
            deliveries.Add(await output.EnqueueOutcomeAsync(outcome, cancellationToken));
        }

        // A compliance request's dead letters are redacted before its report says so, and both before the
        // state's tombstones: a retried batch finds and redacts again what it had not finished.
        foreach (var erasure in results.SelectMany(r => r.DeadLetterErasures))
        {
            if (deadLetterEraser is not null)
            {
                erasure.Report.Holdings.Add(await deadLetterEraser.EraseAsync(erasure, cancellationToken));
            }
        }

        foreach (var report in results.SelectMany(r => r.PrivacyReports))
        {
            report.ReportedAt = decidedAt;
            deliveries.Add(await output.EnqueuePrivacyReportAsync(report, cancellationToken));
        }

        await Task.WhenAll(deliveries);
        // Each partition's changes go to its own changelog partition: their round trips overlap.
        await Task.WhenAll(_entered.Select(e => e.Task.CommitAsync(cancellationToken)));

        foreach (var (topic, outcome) in results.SelectMany(r => r.Handled))
        {
            Count(topic, outcome);
        }

        foreach (var report in results.SelectMany(r => r.PrivacyReports))
        {
            CountPrivacy(report);
        }

        foreach (var pinterestEvent in results.SelectMany(r => r.Events))
        {
            telemetry.EventsProduced.Add(1, new KeyValuePair<string, object?>("event_name", pinterestEvent.EventName));
        }
    }

    // The span is current only within this method: the record's headers carry it, the caller's span is back after.
    private async Task<Task> EnqueueAsync(PinterestEvent pinterestEvent, Activity? releasedUnder, CancellationToken cancellationToken)
    {
        if (releasedUnder is not null)
        {
            Activity.Current = releasedUnder;
        }

        return await output.EnqueueAsync(pinterestEvent, cancellationToken);
    }

    /// <summary>Ends the batch's release spans; after a failure, as failed: the release is undone and tried again.</summary>
    private void EndReleases(Exception? failure)
    {
        foreach (var span in _entered.SelectMany(e => e.Context.Output.Releases))
        {
            if (failure is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, failure.Message);
            }

            span.Dispose();
        }
    }

    private void Rollback()
    {
        foreach (var (task, _) in _entered)
        {
            task.Rollback();
        }
    }

    private void Count(string topic, string outcome)
    {
        var kind = outcome switch
        {
            RecordOutcomes.Mapped or RecordOutcomes.Released or RecordOutcomes.Waiting => outcome,
            _ => RecordOutcomes.Skipped,
        };
        telemetry.RecordsMapped.Add(1, new("topic", topic), new("outcome", kind), new("reason", kind == RecordOutcomes.Skipped ? outcome : null));
        if (kind == RecordOutcomes.Skipped)
        {
            LogSkipped(logger, topic, outcome);
        }
    }

    private void CountPrivacy(PrivacyReport report)
    {
        telemetry.PrivacyRequests.Add(1, new KeyValuePair<string, object?>("request", report.Request));
        foreach (var holding in report.Holdings.Where(h => h.Entries > 0))
        {
            var action = report.Action == PrivacyReport.Reported ? PrivacyReport.Reported
                : holding.Store == PersonalDataStores.DeadLetters ? "redacted" : PrivacyReport.Erased;
            telemetry.PrivacyEntries.Add(holding.Entries, new("request", report.Request), new("store", holding.Store), new("action", action));
        }

        LogPrivacy(logger, report.Request, report.Part, report.Parts, report.Action, report.Holdings.Sum(h => h.Entries));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance request {Request}, part {Part} of {Parts}: {Action} {Entries} entries")]
    private static partial void LogPrivacy(ILogger logger, string request, int part, int parts, string action, int entries);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Topic}: no event ({Reason})")]
    private static partial void LogSkipped(ILogger logger, string topic, string reason);
}
