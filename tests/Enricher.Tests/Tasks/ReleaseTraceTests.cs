using System.Diagnostics;
using Avro.Specific;
using Streaming.Enricher.Tasks;
using Streaming.Enricher.Tracing;

namespace Streaming.Enricher.Tests.Tasks;

/// <summary>
/// A server event that waits for its session keeps the trace its webhook came with, in its state, and is
/// written under a span of that trace when it is released: by its grace period in a punctuation, which
/// runs outside any span, or by its session's arrival. On state held in memory: no Kafka.
/// </summary>
public sealed class ReleaseTraceTests : IDisposable
{
    private readonly ProcessorHarness _harness = new();
    private readonly TaskDriver _driver;
    private readonly SpanRecorder _spans = new();
    private readonly DateTimeOffset _t0;

    public ReleaseTraceTests()
    {
        _t0 = _harness.Clock.Now.AddMinutes(-10);
        _driver = new TaskDriver(_harness);
    }

    [Fact]
    public async Task An_order_released_by_its_grace_period_after_a_restart_is_written_under_a_span_of_its_webhooks_trace()
    {
        var webhook = Remote("vendor=abc");
        var task = _driver.NewTask();
        await BatchAsync(task, Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741101", "cart-traced", _t0), _t0, webhook));
        Assert.Empty(_harness.Output.Events);

        var stored = Assert.Single(_harness.Disk.Entries, e => e.Key.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal));
        var waiting = (await _harness.States().DecodeAsync(stored.Value)).Waiting!;
        Assert.Equal((TraceContexts.Traceparent(webhook), "vendor=abc"), (waiting.Traceparent, waiting.Tracestate));

        // A new task over the same store, as after a restart: the trace comes from the state, not from memory.
        var restored = _driver.NewTask();
        _harness.Clock.Now += _harness.Options.GraceWallClockCap;
        Assert.Null(Activity.Current);
        await _driver.ReleaseDueAsync(restored);

        var checkout = Assert.Single(_harness.Output.Events);
        Assert.Equal("9007199254741101", checkout.EventId);
        var span = Assert.IsType<Activity>(Assert.Single(_harness.Output.EventSpans));
        Assert.Equal(ReleaseSpans.Name, span.OperationName);
        Assert.Equal((webhook.TraceId, webhook.SpanId), (span.TraceId, span.ParentSpanId));
        Assert.Equal("vendor=abc", span.TraceStateString);
        Assert.Equal(ReleaseSpans.Causes.GracePeriodOver, span.GetTagItem("enricher.release.cause"));
        Assert.Equal(RecordOutcomes.Released, span.GetTagItem("enricher.release.outcome"));
        Assert.Empty(span.Links);
        // Ended with the batch that wrote its event, and nothing of the punctuation is current after it.
        Assert.Contains(span, Ended());
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task An_order_released_by_its_sessions_arrival_is_written_under_its_webhooks_trace_linked_to_the_storefront_events()
    {
        var webhook = Remote();
        var pixel = Remote();
        var task = _driver.NewTask();
        await BatchAsync(task, Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741103", "cart-arrives", _t0), _t0, webhook));

        await BatchAsync(
            task, Record(TaskDriver.Storefront, ProcessorHarness.Session("cart-arrives", "click-arrives", _t0.AddSeconds(5), "pixel-product_viewed.json"), _t0.AddSeconds(5), pixel));

        var written = _harness.Output.Events.Zip(_harness.Output.EventSpans).ToList();
        var (checkout, span) = Assert.Single(written, w => w.First.EventName == "checkout");
        Assert.Equal("click-arrives", checkout.UserData.ClickId);
        Assert.NotNull(span);
        Assert.Equal((ReleaseSpans.Name, webhook.TraceId, webhook.SpanId), (span.OperationName, span.TraceId, span.ParentSpanId));
        Assert.Equal(ReleaseSpans.Causes.SessionArrived, span.GetTagItem("enricher.release.cause"));
        Assert.Equal(pixel, Assert.Single(span.Links).Context);
        // The storefront event's own page visit goes under the batch's span, here none: only the release has one.
        Assert.Null(Assert.Single(written, w => w.First.EventName == "page_visit").Second);
        Assert.Contains(span, Ended());
    }

    [Fact]
    public async Task An_order_waits_under_the_batch_span_that_continues_its_trace_and_an_order_of_another_trace_under_its_own()
    {
        var first = Remote();
        var second = Remote();
        var task = _driver.NewTask();
        // As the consumer loop does: the batch's span continues the trace of its first record only.
        using (var batch = PipelineTelemetry.ActivitySource.StartActivity("shopify.webhooks process", ActivityKind.Consumer, first))
        {
            Assert.NotNull(batch);
            await BatchAsync(
                task,
                Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741107", "cart-first", _t0), _t0, first),
                Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741109", "cart-second", _t0.AddMilliseconds(1)), _t0.AddMilliseconds(1), second));
            _harness.Clock.Now += _harness.Options.GraceWallClockCap;

            var entries = await Task.WhenAll(_harness.Disk.Entries
                .Where(e => e.Key.StartsWith(CartStates.WaitingPrefix, StringComparison.Ordinal))
                .Select(async e => (await _harness.States().DecodeAsync(e.Value)).Waiting!));
            Assert.Equal(
                new[] { TraceContexts.Traceparent(batch.Context), TraceContexts.Traceparent(second) }.Order(StringComparer.Ordinal),
                entries.Select(w => w.Traceparent).Order(StringComparer.Ordinal));
        }

        await PunctuateAsync(task);

        var spans = _harness.Output.Events.Zip(_harness.Output.EventSpans).ToDictionary(w => w.First.EventId, w => w.Second!);
        Assert.Equal(first.TraceId, spans["9007199254741107"].TraceId);
        Assert.NotEqual(first.SpanId, spans["9007199254741107"].ParentSpanId);
        Assert.Contains(Ended(), s => s.OperationName == "shopify.webhooks process" && s.SpanId == spans["9007199254741107"].ParentSpanId);
        Assert.Equal((second.TraceId, second.SpanId), (spans["9007199254741109"].TraceId, spans["9007199254741109"].ParentSpanId));
    }

    [Fact]
    public async Task A_release_whose_event_is_not_acknowledged_ends_its_span_as_failed_and_the_retry_continues_the_same_trace()
    {
        var webhook = Remote();
        var task = _driver.NewTask();
        await BatchAsync(task, Record(TaskDriver.Webhooks, ProcessorHarness.Order("9007199254741105", "cart-retried", _t0), _t0, webhook));
        _harness.Clock.Now += _harness.Options.GraceWallClockCap;

        _harness.Output.Failing = true;
        await Assert.ThrowsAsync<KafkaException>(() => PunctuateAsync(task));
        var failed = Assert.Single(Ended(), s => s.TraceId == webhook.TraceId);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);

        _harness.Output.Failing = false;
        await PunctuateAsync(task);

        var span = Assert.IsType<Activity>(Assert.Single(_harness.Output.EventSpans));
        Assert.Equal((webhook.TraceId, webhook.SpanId), (span.TraceId, span.ParentSpanId));
        Assert.NotEqual(failed.SpanId, span.SpanId);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    private static ActivityContext Remote(string? traceState = null) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, traceState, isRemote: true);

    private List<Activity> Ended() => _spans.Ended();

    private Task PunctuateAsync(PartitionTask task) => _driver.ReleaseDueAsync(task);

    private Task BatchAsync(PartitionTask task, params ConsumedRecord<ISpecificRecord>[] records) => _driver.HandleAsync(task, [], records);

    /// <summary>A record with the trace headers <c>RecordPublisher</c> writes.</summary>
    private ConsumedRecord<ISpecificRecord> Record(string topic, ISpecificRecord value, DateTimeOffset at, ActivityContext trace)
    {
        var headers = new Headers { { TraceContexts.TraceparentHeader, Encoding.UTF8.GetBytes(TraceContexts.Traceparent(trace)!) } };
        if (trace.TraceState is { } state)
        {
            headers.Add(TraceContexts.TracestateHeader, Encoding.UTF8.GetBytes(state));
        }

        return _driver.Record(topic, value, at, headers);
    }

    public void Dispose()
    {
        _spans.Dispose();
        _harness.Dispose();
    }
}
