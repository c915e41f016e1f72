using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Streaming.Enricher.Tests.Tasks;

/// <summary>
/// A rolling restart of two enricher members, each with its own state directory: with static membership
/// each member gets its own partitions back and restores only the changelog's tail; without it (the
/// control) partitions move while a member is away, and members restore partitions they did not hold.
/// </summary>
[Collection(OnKafka.Name)]
public sealed partial class RollingRestartTests(KafkaFixture kafka, ITestOutputHelper output)
{
    private const int Entries = 400;
    private const int Partitions = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    [Fact]
    public async Task With_static_membership_each_restarted_member_restores_only_the_changelog_tail()
    {
        var withStatic = await RollAsync(staticMembership: true);
        var withoutStatic = await RollAsync(staticMembership: false);

        output.WriteLine($"{Entries} state entries on {Partitions} partitions, two members restarted in turn ({kafka.Description}).");
        output.WriteLine($"static membership:  {withStatic}");
        output.WriteLine($"dynamic membership: {withoutStatic}");
        Assert.All(withStatic.ByRestarted, changes => Assert.True(changes < Entries / 20, $"A restarted static member restored {changes} change(s) of {Entries}."));
        Assert.Equal(0, withStatic.ByOther);
        Assert.True(withoutStatic.Total >= Entries / 4, $"Without static membership the members restored only {withoutStatic.Total} change(s).");
    }

    /// <summary>Fills the state, then stops and starts each member in turn with its own directory (and name); counts what was restored meanwhile.</summary>
    private async Task<Restores> RollAsync(bool staticMembership)
    {
        await using var rig = new EnricherRig(kafka, await kafka.CreateTopicsAsync(Partitions));
        string[] names = ["enricher-0", "enricher-1"];
        var directories = names.Select(_ => EnricherRig.NewStateDirectory()).ToArray();
        var hosts = new TestHost[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            hosts[i] = await rig.StartAsync(directories[i], Settings(staticMembership, names[i]));
        }

        await WaitForAsync(() => hosts.All(h => Restored(h).Count > 0), "both members to own partitions", hosts);
        await Task.WhenAll(Enumerable.Range(0, Entries).Select(i => rig.StorefrontAsync(Session($"cart-roll-{i}"), T0.AddMilliseconds(i))));
        Assert.True(kafka.ReadAll(rig.Topics.EnricherState.Name, Entries, Patience).Count >= Entries, "The state did not reach its changelog.");

        var byRestarted = new List<long>();
        long byOther = 0;
        for (var i = 0; i < names.Length; i++)
        {
            var other = hosts[1 - i];
            var otherBefore = Restored(other).Count;
            await rig.StopAsync(hosts[i]);
            if (!staticMembership)
            {
                // A dynamic member leaves on Close: its partitions go to the other at once.
                await WaitForAsync(() => Restored(other).Count > otherBefore, "the other member to take the partitions over", [other]);
            }
            else
            {
                // As long as a pod takes to come back; the partitions wait for their member.
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            hosts[i] = await rig.StartAsync(directories[i], Settings(staticMembership, names[i]));
            await WaitForAsync(() => Restored(hosts[i]).Count > 0, "the restarted member to restore its partitions", [hosts[i]]);
            byRestarted.Add(Restored(hosts[i]).Sum());
            byOther += Restored(other).Skip(otherBefore).Sum();
        }

        return new Restores(byRestarted, byOther);
    }

    private static Dictionary<string, string?> Settings(bool staticMembership, string name)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Enricher:GracePeriod"] = "00:00:30",
            ["Enricher:GraceWallClockCap"] = "00:01:00",
        };
        if (staticMembership)
        {
            settings["Kafka:GroupInstanceId"] = name;
            settings["Kafka:SessionTimeout"] = "00:00:45";
        }

        return settings;
    }

    /// <summary>The changes each restore of the host applied, from the restorer's log lines.</summary>
    private static List<long> Restored(TestHost host) =>
        host.Logs.Lines.Select(l => RestoredLine().Match(l.Message)).Where(m => m.Success)
            .Select(m => long.Parse(m.Groups["changes"].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"^Restored \d+ partition\(s\) of .+: (?<changes>\d+) change\(s\)")]
    private static partial Regex RestoredLine();

    private static async Task WaitForAsync(Func<bool> condition, string what, IEnumerable<TestHost> hosts)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited {Patience.TotalSeconds} s for {what}. Logs:\n{string.Join('\n', hosts.SelectMany(h => h.Logs.Lines).Where(l => l.Category.StartsWith("Streaming", StringComparison.Ordinal)).Select(l => l.Message))}");
            await Task.Delay(100);
        }
    }

    private static Records.StorefrontEvent Session(string cartToken)
    {
        using var pixel = JsonDocument.Parse(ShopifySamples.Fixture("pixel-page_viewed.json"));
        return SessionTests.Event(pixel, T0.ToUnixTimeMilliseconds(), "click", "203.0.113.9", "Mozilla/5.0", cartToken);
    }

    /// <summary>Changes restored by each member when it came back, and by the other member while it was away.</summary>
    private sealed record Restores(List<long> ByRestarted, long ByOther)
    {
        public long Total => ByRestarted.Sum() + ByOther;

        public override string ToString() =>
            $"restarted members restored {string.Join(" and ", ByRestarted)} change(s); the other member, meanwhile, {ByOther}; in all {Total}";
    }
}
