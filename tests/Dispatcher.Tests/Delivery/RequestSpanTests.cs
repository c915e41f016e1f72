using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Streaming.Dispatcher.Tests.Delivery;

/// <summary>
/// A request carries events of many traces. Its span, around a real HTTP call to the Pinterest stand-in,
/// continues the first event's trace and links to every other one, once each.
/// </summary>
public sealed class RequestSpanTests : IAsyncLifetime, IDisposable
{
    private readonly SpanRecorder _spans = new();
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    // As in the service: the OpenTelemetry SDK is what installs the W3C propagator the lane reads records with.
    private readonly TracerProvider _tracing = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.Name).Build();
    private FakePinterest _pinterest = null!;

    public async Task InitializeAsync() => _pinterest = await FakePinterest.StartAsync();

    public async Task DisposeAsync() => await _pinterest.DisposeAsync();

    public void Dispose()
    {
        _spans.Dispose();
        _tracing.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public async Task The_span_of_a_request_has_the_first_events_trace_as_parent_and_links_each_other_trace_once()
    {
        var first = NewContext();
        var second = NewContext();
        var third = NewContext();
        PendingEvent[] events = [Pending("a", first), Pending("b", second), Pending("c", first), Pending("d", null), Pending("e", third), Pending("f", second)];
        using var sender = Sender();

        var answer = await sender.SendAsync(Shop(), events, withMarket: true, CancellationToken.None);

        Assert.Equal(AnswerKind.PerEvent, answer.Kind);
        var span = Assert.Single(Spans(first.TraceId));
        Assert.Equal(PinterestSender.SpanName, span.OperationName);
        Assert.Equal(first.SpanId, span.ParentSpanId);
        Assert.Equal([second, third], span.Links.Select(l => l.Context));
        Assert.Equal(6, span.GetTagItem("pinterest.events.count"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.All(events, e => Assert.Equal(1, e.Attempts));
    }

    [Fact]
    public async Task A_refused_request_marks_its_span_as_an_error()
    {
        _pinterest.Respond = (_, _) => (401, """{"code":2,"message":"Authentication failed."}""");
        var context = NewContext();
        using var sender = Sender();

        await sender.SendAsync(Shop(), [Pending("a", context)], withMarket: true, CancellationToken.None);

        var span = Assert.Single(Spans(context.TraceId));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("Unauthorized", span.GetTagItem("pinterest.answer"));
    }

    [Fact]
    public async Task A_request_Pinterest_never_answered_says_so_in_error_type_not_in_a_status_code_of_0()
    {
        var context = NewContext();
        var recorded = new List<KeyValuePair<string, object?>[]>();
        using var requests = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "pipeline.dispatcher.requests")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        requests.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (recorded)
            {
                recorded.Add(tags.ToArray());
            }
        });
        requests.Start();
        // Nothing listens on port 1 of the loopback: the connection is refused.
        using var sender = Sender(new Uri("http://127.0.0.1:1/"));

        var answer = await sender.SendAsync(Shop(), [Pending("a", context)], withMarket: true, CancellationToken.None);

        Assert.Equal(AnswerKind.Unavailable, answer.Kind);
        var span = Assert.Single(Spans(context.TraceId));
        Assert.Equal("no_answer", span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("http.response.status_code"));
        var tags = Assert.Single(recorded);
        Assert.Contains(tags, t => t.Key == "error.type" && Equals(t.Value, "no_answer"));
        Assert.DoesNotContain(tags, t => t.Key == "http.response.status_code");
    }

    private List<Activity> Spans(ActivityTraceId traceId) => [.. _spans.Ended().Where(s => s.TraceId == traceId)];

    private PinterestSender Sender(Uri? baseUrl = null) => new(
        new PinterestClient(new PlainHttpClients(), Options.Create(new PinterestOptions())),
        new PipelineTelemetry(_metrics.GetRequiredService<IMeterFactory>()),
        Options.Create(new DispatcherOptions()),
        Options.Create(new PinterestOptions { BaseUrl = (baseUrl ?? _pinterest.BaseUrl).ToString() }),
        TimeProvider.System);

    private static DispatcherShop Shop() => new()
    {
        Domain = TestSettings.Shop,
        Pinterest = new DispatcherShopPinterest { AdAccountId = TestSettings.AdAccountId, ConversionToken = TestSettings.ConversionToken },
    };

    private static ActivityContext NewContext() =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

    /// <summary>An event as read from Kafka, with the traceparent its writer put on the record, if any.</summary>
    private static PendingEvent Pending(string id, ActivityContext? written)
    {
        var headers = new Headers();
        if (written is { } c)
        {
            headers.Add("traceparent", Encoding.UTF8.GetBytes($"00-{c.TraceId}-{c.SpanId}-01"));
        }

        return new PendingEvent(
            new ConsumeResult<byte[]?, byte[]>
            {
                TopicPartitionOffset = new TopicPartitionOffset("pinterest.events", 0, 0),
                Message = new Message<byte[]?, byte[]> { Value = [], Headers = headers, Timestamp = new Timestamp(DateTime.UtcNow) },
            },
            TestRecords.Checkout(id),
            Shop());
    }

    private sealed class PlainHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
