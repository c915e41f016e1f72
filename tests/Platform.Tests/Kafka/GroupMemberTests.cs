using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Reading;

namespace Streaming.Platform.Tests.Kafka;

/// <summary>What the reading kernel tells operators about a group member: its lag, and the record each log line is about.</summary>
[Collection(OnKafka.Name)]
public sealed partial class GroupMemberTests(KafkaFixture kafka)
{
    private const int Records = 30;
    private const int Poison = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_kernel_reports_the_records_a_member_has_not_read_yet_as_the_lag_of_its_group_and_topic()
    {
        await using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new PipelineTelemetry(metrics.GetRequiredService<IMeterFactory>());
        var lags = new ConsumerLags(telemetry);
        var group = $"lag-{Guid.NewGuid():N}";
        using var listener = new ConsumerLagListener(group);

        var reading = await ReadAsync(group, lags, new LogCapture());
        listener.Observe();

        var (topic, lag) = Assert.Single(listener.Seen);
        Assert.Equal(reading.Topic, topic);
        Assert.Equal(Records - (reading.LastRead + 1), lag);
        Assert.True(lag > 0, "Every record was read before the lag was measured.");

        listener.Clear();
        reading.Lag.Dispose();
        listener.Observe();
        Assert.Empty(listener.Seen);
    }

    [Fact]
    public async Task A_line_logged_while_the_kernel_handles_a_record_carries_its_shop_topic_partition_and_offset()
    {
        await using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new PipelineTelemetry(metrics.GetRequiredService<IMeterFactory>());
        var logs = new LogCapture();

        var reading = await ReadAsync($"scope-{Guid.NewGuid():N}", new ConsumerLags(telemetry), logs);

        var line = Assert.Single(logs.Lines, l => l.Message.StartsWith("Set aside", StringComparison.Ordinal));
        Assert.Equal(TestSettings.Shop, line.Scope["Shop"]);
        Assert.Equal(reading.Topic, line.Scope["Topic"]);
        Assert.Equal(0, line.Scope["Partition"]);
        Assert.Equal((long)Poison, line.Scope["Offset"]);
        Assert.DoesNotContain(logs.Lines, l => l.Message.StartsWith("Read", StringComparison.Ordinal) && l.Scope.Count > 0);
    }

    /// <summary>
    /// Writes the records, then reads a third of them through the kernel (one is poison, set aside with a
    /// log line) and polls once more a second later, when the kernel measures the lag again.
    /// </summary>
    private async Task<Reading> ReadAsync(string group, ConsumerLags lags, LogCapture logs)
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var topic = topics.PinterestEvents.Name;
        await kafka.ProduceAsync(topic, Enumerable.Range(0, Records).Select(i => ($"{TestSettings.Shop}/cart-{i}", (byte[]?)Encoding.UTF8.GetBytes($"record-{i}"))));

        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var logger = loggers.CreateLogger("GroupMemberTests");
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = group,
            GroupProtocol = GroupProtocol.Consumer,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var lag = lags.Member(group);
        var reader = new RecordReader<string>(
            consumer,
            "lag-test",
            r => r.Offset.Value == Poison
                ? throw new UnreadableRecordException(RecordDecoding.Undeserializable, "poison")
                : Task.FromResult<string?>(Encoding.UTF8.GetString(r.Message.Value)),
            (r, reason, _, _) =>
            {
                LogSetAside(logger, r.Offset.Value, reason);
                return Task.CompletedTask;
            },
            new RetryPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)),
            logger)
        {
            Lag = lag,
            ShopOf = RecordScope.ShopOfKey,
        };

        var ready = new List<ConsumedRecord<string>>();
        var until = DateTime.UtcNow + Patience;
        while (ready.Count < Records / 3)
        {
            Assert.True(DateTime.UtcNow < until, $"Read {ready.Count} of {Records / 3} records.");
            reader.Poll(TimeSpan.FromMilliseconds(200), ready, CancellationToken.None);
        }

        LogRead(logger, ready.Count);
        var lastRead = ready[^1].Raw.Offset.Value;
        // The lag is measured at most once a second, before the poll takes its record.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        reader.Poll(TimeSpan.Zero, [], CancellationToken.None);
        consumer.Close();
        return new Reading(topic, lastRead, lag);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Set aside {Offset}: {Reason}")]
    private static partial void LogSetAside(ILogger logger, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} records")]
    private static partial void LogRead(ILogger logger, int count);

    private sealed record Reading(string Topic, long LastRead, ConsumerLag Lag);
}
