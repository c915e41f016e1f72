using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka.State;

namespace Streaming.Platform.Tests.State;

[Collection(OnKafka.Name)]
public sealed class ChangelogRestorerTests(KafkaFixture kafka) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("restorer-tests-").FullName;
    private readonly RocksDbSettings _settings = new(8 * 1024 * 1024, 4 * 1024 * 1024);

    [Fact]
    public async Task A_store_whose_checkpoint_lies_past_its_changelogs_end_is_wiped_and_restored_from_the_new_changelog()
    {
        // The copy on disk was written from a changelog that has since been deleted and created again
        // (as on every restart of the demo): its checkpoint says 41, the new changelog holds two changes.
        var changelog = await ChangelogAsync(("fresh/1", "new"), ("fresh/2", "new"));
        using (var stale = Store())
        {
            stale.Apply([Change("old/1", "stale"), Change("old/2", "stale"), Change("fresh/1", "stale")]);
            stale.WriteCheckpoint(41);
        }

        using var store = Store();
        Restorer().Restore(changelog, [new ChangelogRestorer.Target(0, store, store.ReadCheckpoint())], CancellationToken.None);

        Assert.Null(store.Read("old/1"));
        Assert.Null(store.Read("old/2"));
        Assert.Equal("new", Text(store.Read("fresh/1")));
        Assert.Equal("new", Text(store.Read("fresh/2")));
        Assert.Equal(1, store.ReadCheckpoint());
    }

    [Fact]
    public async Task A_store_whose_checkpoint_is_within_its_changelog_keeps_its_entries_and_reads_only_the_tail()
    {
        var changelog = await ChangelogAsync(("a", "1"), ("b", "1"), ("c", "1"));
        using (var current = Store())
        {
            // Up to date to offset 1; an entry the changelog also holds and one only this copy has kept.
            current.Apply([Change("a", "1"), Change("b", "1"), Change("local", "kept")]);
            current.WriteCheckpoint(1);
        }

        using var store = Store();
        var applied = Restorer().Restore(changelog, [new ChangelogRestorer.Target(0, store, store.ReadCheckpoint())], CancellationToken.None);

        Assert.Equal(1, applied);
        Assert.Equal("kept", Text(store.Read("local")));
        Assert.Equal("1", Text(store.Read("c")));
        Assert.Equal(2, store.ReadCheckpoint());
    }

    private async Task<string> ChangelogAsync(params (string Key, string Value)[] changes)
    {
        var topic = KafkaFixture.UniqueTopic("restorer");
        await kafka.CreateTopicsAsync(new TopicOptions { Name = topic, Partitions = 1, Compacted = true });
        await kafka.ProduceAsync(topic, changes.Select(c => (c.Key, (byte[]?)Encoding.UTF8.GetBytes(c.Value))), partition: 0);
        return topic;
    }

    private RocksDbStore Store() => RocksDbStore.Open(Path.Combine(_directory, "store-0"), _settings);

    private ChangelogRestorer Restorer()
    {
        var cluster = new ConfiguredKafkaCluster(kafka.BootstrapServers);
        var clients = new KafkaClientFactory(Microsoft.Extensions.Options.Options.Create(new KafkaOptions { BootstrapServers = kafka.BootstrapServers }), cluster, NullLoggerFactory.Instance);
        return new ChangelogRestorer(clients, NullLogger<ChangelogRestorer>.Instance);
    }

    private static KeyValuePair<byte[], byte[]?> Change(string key, string value) => new(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
