using System.Text;
using System.Text.Json;

namespace Streaming.Topology.Tests;

/// <summary>What the run came to: the invariants' counts, with the ids behind each, and the healthy ad account's latency.</summary>
public sealed class Figures
{
    private Figures()
    {
    }

    public int Orders { get; private init; }

    public int Written { get; private init; }

    public int WrittenAfterRetries { get; private init; }

    public int NeverWritten { get; private init; }

    public int WithSession { get; private init; }

    /// <summary>Orders Ingest answered 200 that their ad account never accepted.</summary>
    public List<string> Lost { get; private init; } = [];

    /// <summary><c>ad account/event id</c> accepted more than once, with the count.</summary>
    public List<string> Duplicates { get; private init; } = [];

    /// <summary>Orders with a session whose accepted event carried no click id, or another one.</summary>
    public List<string> WithoutClickId { get; private init; } = [];

    public Latency HealthyDuringFaults { get; private init; } = Latency.Of([]);

    public List<(Phase Phase, Latency Latency)> HealthyByPhase { get; private init; } = [];

    /// <summary>What Ingest answered instead of 200/202 (or that nothing answered), by phase and kind.</summary>
    public List<(Phase Phase, string Refusals)> IngestRefusalsByPhase { get; private init; } = [];

    public int PinterestCalls { get; private init; }

    public IReadOnlyDictionary<string, int> FaultsAnswered { get; private init; } = new Dictionary<string, int>();

    public List<string> RuleViolations { get; private init; } = [];

    public static Figures Of(IEnumerable<Order> ledger, FakePinterest fake, PinterestAnswers answers, IReadOnlyList<Phase> phases)
    {
        var orders = ledger.ToList();
        var accepted = fake.Accepted;
        var clickIds = ClickIdsSent(fake.Requests);
        var written = orders.Where(o => o.WrittenAt is not null).ToList();
        var healthy = written.Where(o => o.Shop == Shops.Healthy && answers.FirstAnswered.ContainsKey(Key(o))).ToList();
        TimeSpan LatencyOf(Order o) => answers.FirstAnswered[Key(o)] - o.WrittenAt!.Value;
        // The first phase is the steady one before any fault.
        var faultsStart = phases.Count > 1 ? phases[1].Start : TimeSpan.Zero;
        var faultsEnd = phases.Count > 0 ? phases[^1].End : TimeSpan.MaxValue;
        return new Figures
        {
            Orders = orders.Count,
            Written = written.Count,
            WrittenAfterRetries = written.Count(o => !o.Refusals.IsEmpty),
            NeverWritten = orders.Count - written.Count,
            WithSession = written.Count(o => o.SessionAccepted is not null),
            Lost = [.. written.Where(o => !accepted.ContainsKey(Key(o))).Select(o => $"{Key(o)} (written at {o.WrittenAt!.Value.TotalSeconds:0.0} s, {Phase(phases, o.WrittenAt.Value)})")],
            Duplicates = [.. accepted.Where(a => a.Value > 1).Select(a => $"{a.Key} accepted {a.Value} times")],
            WithoutClickId = [.. written
                .Where(o => o.SessionAccepted is not null && accepted.ContainsKey(Key(o)))
                .Where(o => !clickIds.TryGetValue(Key(o), out var sent) || sent != o.ClickId)
                .Select(o => $"{Key(o)} sent click id '{clickIds.GetValueOrDefault(Key(o)) ?? "none"}', session had '{o.ClickId}' ({Phase(phases, o.WrittenAt!.Value)})")],
            HealthyDuringFaults = Latency.Of(healthy.Where(o => o.WrittenAt >= faultsStart && o.WrittenAt < faultsEnd).Select(LatencyOf)),
            HealthyByPhase = [.. phases.Select(p => (p, Latency.Of(healthy.Where(o => o.WrittenAt >= p.Start && o.WrittenAt < p.End).Select(LatencyOf))))],
            IngestRefusalsByPhase = [.. phases.Select(p => (p, Refusals(orders.SelectMany(o => o.Refusals).Where(r => r.At >= p.Start && r.At < p.End))))],
            PinterestCalls = fake.Calls,
            FaultsAnswered = answers.FaultsAnswered.ToDictionary(),
            RuleViolations = [.. fake.Violations.Distinct().Take(10)],
        };
    }

    public string Render(string command)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("# Topology under faults")
            .AppendLine()
            .AppendLine(inv, $"Command: `{command}`")
            .AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {RuntimeDescription()}")
            .AppendLine()
            .AppendLine("| figure | value |")
            .AppendLine("| --- | --- |")
            .AppendLine(inv, $"| orders (each after a storefront session) | {Orders} |")
            .AppendLine(inv, $"| answered 200 by Ingest | {Written} ({WrittenAfterRetries} needed a retry of /collect or the webhook) |")
            .AppendLine(inv, $"| never answered 200 within {Shoppers.RetryFor.TotalSeconds:0} s of retries | {NeverWritten} |")
            .AppendLine(inv, $"| **lost** (answered 200, never accepted by Pinterest) | **{Lost.Count}** |")
            .AppendLine(inv, $"| **duplicates** (event id accepted twice by one ad account) | **{Duplicates.Count}** |")
            .AppendLine(inv, $"| orders with a session | {WithSession} |")
            .AppendLine(inv, $"| **without their session's click id** | **{WithoutClickId.Count}** |")
            .AppendLine(inv, $"| healthy ad account, write to Pinterest's answer, during the faults | {HealthyDuringFaults} |")
            .AppendLine(inv, $"| Pinterest calls (all answers) | {PinterestCalls} |")
            .AppendLine(inv, $"| failing ad account's fault answers | {string.Join(", ", FaultsAnswered.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Value} × {f.Key}"))} |")
            .AppendLine()
            .AppendLine("Healthy ad account's latency (Ingest's 200 to Pinterest's 200), by the phase the order was written in:")
            .AppendLine()
            .AppendLine("| phase | from | to | latency | Ingest's refusals (retried) |")
            .AppendLine("| --- | ---: | ---: | --- | --- |");
        foreach (var ((phase, latency), (_, refusals)) in HealthyByPhase.Zip(IngestRefusalsByPhase))
        {
            text.AppendLine(inv, $"| {phase.Name} | {phase.Start.TotalSeconds:0} s | {phase.End.TotalSeconds:0} s | {latency} | {refusals} |");
        }

        Section(text, "Lost", Lost);
        Section(text, "Duplicates", Duplicates);
        Section(text, "Without their session's click id", WithoutClickId);
        Section(text, "Bodies that broke Pinterest's rules", RuleViolations);
        return text.ToString();
    }

    private static void Section(StringBuilder text, string title, List<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {title} ({items.Count})").AppendLine();
        foreach (var item in items.Take(50))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {item}");
        }
    }

    private static string Refusals(IEnumerable<(TimeSpan At, string What)> refusals)
    {
        var byKind = refusals.GroupBy(r => r.What, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}").ToList();
        return byKind.Count == 0 ? "none" : string.Join(", ", byKind);
    }

    private static string Key(Order order) => $"{order.Shop.AdAccountId}/{order.Id}";

    private static string Phase(IReadOnlyList<Phase> phases, TimeSpan at) =>
        phases.FirstOrDefault(p => at >= p.Start && at < p.End)?.Name ?? "after the schedule";

    /// <summary>The click id of each accepted event, from the first request answered 200 that carried it.</summary>
    private static Dictionary<string, string?> ClickIdsSent(IEnumerable<ReceivedRequest> requests)
    {
        var sent = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            foreach (var e in request.Events)
            {
                var clickId = e.GetProperty("user_data").TryGetProperty("click_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                sent.TryAdd($"{request.AdAccountId}/{e.GetProperty("event_id").GetString()}", clickId);
            }
        }

        return sent;
    }

    private static string RuntimeDescription() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}

/// <summary>Percentiles of a set of latencies.</summary>
public sealed record Latency(int Count, TimeSpan P50, TimeSpan P99, TimeSpan Max)
{
    public static Latency Of(IEnumerable<TimeSpan> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Count == 0
            ? new Latency(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero)
            : new Latency(sorted.Count, At(sorted, 0.50), At(sorted, 0.99), sorted[^1]);
    }

    public override string ToString() =>
        Count == 0 ? "no orders" : string.Create(CultureInfo.InvariantCulture, $"p50 {P50.TotalMilliseconds:0} ms, p99 {P99.TotalMilliseconds:0} ms, max {Max.TotalMilliseconds:0} ms ({Count} orders)");

    // Nearest rank: the smallest sample with at least that share of samples at or below it.
    private static TimeSpan At(List<TimeSpan> sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];
}
