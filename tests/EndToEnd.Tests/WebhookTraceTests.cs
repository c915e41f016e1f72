using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using Streaming.Dispatcher.Delivery;
using Streaming.Enricher.Tracing;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// One trace from Shopify's POST to Pinterest's request: each service host exports its spans in memory,
/// through the OpenTelemetry set-up it runs with, and the spans are read back by trace id.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class WebhookTraceTests(KafkaFixture kafka) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = PipelineRig.Patience;
    private readonly PipelineRig _rig = new(kafka);
    private readonly ExportedSpans _spans = new();

    public async Task InitializeAsync()
    {
        await _rig.InitializeAsync();
        // The web order has a cart token and no storefront session comes: it waits, with the default grace
        // period, for a stream time that nothing moves, and goes by the wall clock, here after 2 s.
        _rig.Settings["Enricher:GraceWallClockCap"] = "00:00:02";
    }

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task A_waiting_orders_trace_runs_from_Ingest_through_the_enricher_and_its_release_to_the_Pinterest_call()
    {
        var ingest = await StartAsync(b => b.AddIngest(), app => app.MapIngest());
        await StartAsync(b => b.AddEnricher());
        await StartAsync(b => b.AddDispatcher());

        using var response = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(ingest.BaseUrl, ShopifySamples.WebOrder(), TestSettings.Secret, TestSettings.Shop));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _rig.Pinterest.WaitForAsync(1, Patience);

        var received = await _spans.WaitForAsync(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == "/webhooks/shopify");
        var send = await _spans.WaitForAsync(s => s.OperationName == PinterestSender.SpanName);
        var trace = _spans.InTrace(received.TraceId);
        // The enricher reads the webhooks together with the storefront events: its span names both topics.
        var enriched = Assert.Single(trace, s => s.Source.Name == PipelineTelemetry.Name
            && s.OperationName.EndsWith(" process", StringComparison.Ordinal) && s.OperationName.Contains(_rig.WebhookTopic, StringComparison.Ordinal));
        // The order waited and was let go later, from a punctuation that runs in no span: its release
        // continues the trace of the batch that read it, and the event is written under the release.
        var released = Assert.Single(trace, s => s.OperationName == ReleaseSpans.Name);
        Assert.Equal(enriched.SpanId, released.ParentSpanId);
        Assert.Equal(ReleaseSpans.Causes.GracePeriodOver, released.GetTagItem("enricher.release.cause"));
        Assert.Equal(received.TraceId, send.TraceId);
        Assert.Equal(released.SpanId, send.ParentSpanId);
        Assert.Equal(TestSettings.Shop, send.GetTagItem("shop"));
        Assert.Equal(1, send.GetTagItem("pinterest.events.count"));
        Assert.Equal("PerEvent", send.GetTagItem("pinterest.answer"));
        // The HTTP call to Pinterest itself is a child of the send span.
        var call = Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == send.SpanId);
        Assert.Equal(_rig.Pinterest.BaseUrl.Port, call.GetTagItem("server.port"));
    }

    private Task<TestHost> StartAsync(Action<IHostApplicationBuilder> register, Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null) =>
        _rig.StartAsync(
            b =>
            {
                register(b);
                b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));
            },
            map);

    /// <summary>
    /// The spans the hosts export. Every host listens to the same sources in this one process, so a span
    /// may come from each of them: read back once each, by span id.
    /// </summary>
    private sealed class ExportedSpans : ICollection<Activity>
    {
        private readonly List<Activity> _spans = [];

        public int Count
        {
            get
            {
                lock (_spans)
                {
                    return _spans.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public List<Activity> InTrace(ActivityTraceId traceId) => [.. Snapshot().Where(s => s.TraceId == traceId)];

        public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            var until = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < until)
            {
                if (Snapshot().FirstOrDefault(match) is { } span)
                {
                    return span;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"No such span among the {Snapshot().Count} exported in {Patience.TotalSeconds} s.");
        }

        public void Add(Activity item)
        {
            lock (_spans)
            {
                _spans.Add(item);
            }
        }

        public void Clear()
        {
            lock (_spans)
            {
                _spans.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_spans)
            {
                return _spans.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private List<Activity> Snapshot()
        {
            lock (_spans)
            {
                return [.. _spans.DistinctBy(s => s.SpanId)];
            }
        }
    }
}
