using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Streaming.Replay.Sending;

/// <summary>What a run read, wrote (or in a dry run would write) by shop and event name, and skipped by reason.</summary>
public sealed class ReplayTally
{
    public static class Skips
    {
        public const string AlreadyAccepted = "already_accepted";
        public const string OutsideWindow = "outside_window";
        public const string RepeatedInRun = "repeated_in_run";
        public const string UnknownShop = "unknown_shop";
        public const string Undecodable = "undecodable";
    }

    private readonly ConcurrentDictionary<(string Shop, string EventName), long> _sent = new();
    private readonly ConcurrentDictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _excluded = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _notes = new();
    private long _read;

    public long Read => Interlocked.Read(ref _read);

    public long Sent => _sent.Values.Sum();

    public long Skipped => _skipped.Values.Sum() + _excluded.Values.Sum();

    public IReadOnlyDictionary<(string Shop, string EventName), long> SentBy => _sent;

    public IReadOnlyDictionary<string, long> SkippedBy => _skipped;

    public IReadOnlyDictionary<string, long> ExcludedBy => _excluded;

    public void Reading(long records) => Interlocked.Add(ref _read, records);

    public void Sending(string shop, string eventName) => _sent.AddOrUpdate((shop, eventName), 1, (_, n) => n + 1);

    public void Skip(string reason) => _skipped.AddOrUpdate(reason, 1, (_, n) => n + 1);

    /// <summary>Left out by the pipeline's own rules (the enricher's exclusions, a dead letter of another reason).</summary>
    public void Exclude(string reason) => _excluded.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void Note(string note) => _notes.Enqueue(note);

    public string Summary(bool dryRun)
    {
        var text = new StringBuilder();
        text.AppendLine(dryRun ? "Dry run: nothing was written." : "Done.");
        text.AppendLine(CultureInfo.InvariantCulture, $"  records read: {Read}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  events {(dryRun ? "that would be sent" : "sent to the dispatcher")}: {Sent}");
        foreach (var ((shop, eventName), count) in _sent.OrderBy(e => e.Key.Shop, StringComparer.Ordinal).ThenBy(e => e.Key.EventName, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {shop} {eventName}: {count}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  skipped: {_skipped.Values.Sum()}");
        foreach (var (reason, count) in _skipped.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {reason}: {count}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  excluded: {_excluded.Values.Sum()}");
        foreach (var (reason, count) in _excluded.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {reason}: {count}");
        }

        foreach (var note in _notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {note}");
        }

        return text.ToString().TrimEnd();
    }
}
