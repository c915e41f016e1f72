using System.Collections.Concurrent;
using System.Threading;

namespace Streaming.Topology.Tests;

/// <summary>
/// How the fake Pinterest answers: 200 for every ad account, except one that, while <see cref="Failing"/>,
/// takes turns answering 500, 429 with Retry-After, and nothing at all until the client gives up. It
/// notes when it first answered 200 for each event, for the latency figures.
/// </summary>
public sealed class PinterestAnswers
{
    /// <summary>Longer than the dispatcher's Pinterest:RequestTimeout (2 s in the tests' settings).</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, TimeSpan> _firstAnswered = new(StringComparer.Ordinal);
    private readonly Topology _topology;
    private int _faults;
    private volatile string? _failing;

    public PinterestAnswers(Topology topology)
    {
        _topology = topology;
        topology.Pinterest.Respond = Answer;
    }

    /// <summary>The ad account that fails now, or null.</summary>
    public string? Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>Answers other than 200 given to the failing ad account, by kind.</summary>
    public ConcurrentDictionary<string, int> FaultsAnswered { get; } = new(StringComparer.Ordinal);

    /// <summary>When the fake first answered 200 for <c>ad account/event id</c> (the test's clock).</summary>
    public IReadOnlyDictionary<string, TimeSpan> FirstAnswered => _firstAnswered;

    private FakeAnswer Answer(int call, ReceivedRequest request)
    {
        if (request.AdAccountId == _failing)
        {
            var (kind, answer) = (Interlocked.Increment(ref _faults) % 3) switch
            {
                0 => ("500", new FakeAnswer(500, """{"code":2,"message":"Internal error"}""")),
                1 => ("429", new FakeAnswer(429, """{"code":8,"message":"Too many requests"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" })),
                _ => ("timeout", new FakeAnswer(200, Delay: Hang)),
            };
            FaultsAnswered.AddOrUpdate(kind, 1, (_, n) => n + 1);
            return answer;
        }

        var now = _topology.Clock.Elapsed;
        foreach (var id in request.EventIds)
        {
            _firstAnswered.TryAdd($"{request.AdAccountId}/{id}", now);
        }

        return 200;
    }
}
