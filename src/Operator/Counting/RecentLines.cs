namespace Streaming.Operator.Counting;

/// <summary>The newest <c>capacity</c> items by time, whatever order they are read in (partitions interleave).</summary>
public sealed class RecentLines<T>(int capacity, Func<T, DateTime> timeOf)
{
    private readonly List<T> _newestFirst = [];

    public void Add(T item)
    {
        var at = timeOf(item);
        if (_newestFirst.Count == capacity && timeOf(_newestFirst[^1]) >= at)
        {
            return;
        }

        var index = _newestFirst.FindIndex(i => timeOf(i) < at);
        _newestFirst.Insert(index < 0 ? _newestFirst.Count : index, item);
        if (_newestFirst.Count > capacity)
        {
            _newestFirst.RemoveAt(_newestFirst.Count - 1);
        }
    }

    /// <summary>Forgets the lines <paramref name="superseded"/> picks: a later record stands for them.</summary>
    public void RemoveWhere(Predicate<T> superseded) => _newestFirst.RemoveAll(superseded);

    public IReadOnlyList<T> NewestFirst() => [.. _newestFirst];
}
