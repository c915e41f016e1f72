using Confluent.Kafka;

namespace Streaming.Development.Kafka;

/// <summary>
/// Faults a test injects into the embedded cluster: a broker down and up, leadership moved, requests
/// refused with a Kafka error code, answers delayed.
/// </summary>
/// <remarks>
/// The mock elects nothing by itself: a broker set down keeps leading its partitions and coordinating
/// its groups, so clients would wait for it however long it is gone. <see cref="TakeBrokerDown"/> does
/// what a controller does on a real cluster and moves both to brokers still up. The cluster knows the
/// leaders because it places them itself (<see cref="PlaceLeaders"/>), and the coordinators of the
/// groups a test assigned (<see cref="AssignGroupCoordinator"/>); any other group's coordinator is the
/// mock's hash of its id and stays where it is.
/// </remarks>
public sealed partial class EmbeddedKafkaCluster
{
    private readonly Dictionary<(string Topic, int Partition), int> _leaders = [];
    private readonly Dictionary<string, int> _groupCoordinators = new(StringComparer.Ordinal);
    private readonly HashSet<int> _down = [];

    /// <summary>The broker that leads <paramref name="partition"/> of <paramref name="topic"/>.</summary>
    public int LeaderOf(string topic, int partition)
    {
        lock (_gate)
        {
            return _leaders.TryGetValue((topic, partition), out var leader)
                ? leader
                : throw new ArgumentException($"The cluster did not create partition {partition} of topic {topic}.", nameof(partition));
        }
    }

    /// <summary>
    /// Broker <paramref name="brokerId"/> drops its connections and refuses new ones; its partitions and
    /// the groups it coordinated move to brokers that are up. Returns how many partition leaders moved.
    /// </summary>
    public int TakeBrokerDown(int brokerId)
    {
        lock (_gate)
        {
            CheckBroker(brokerId);
            if (_down.Count + 1 >= Brokers && !_down.Contains(brokerId))
            {
                throw new InvalidOperationException($"Taking broker {brokerId} down would leave no broker up: use TakeDown() for a whole-cluster outage.");
            }

            Check(LibrdkafkaMock.rd_kafka_mock_broker_set_down(Live(), brokerId), $"set broker {brokerId} down");
            _down.Add(brokerId);
            foreach (var (group, coordinator) in _groupCoordinators.Where(g => g.Value == brokerId).ToList())
            {
                SetCoordinator(group, NextUp(coordinator));
            }

            var moved = 0;
            foreach (var ((topic, partition), leader) in _leaders.Where(l => l.Value == brokerId).ToList())
            {
                SetLeader(topic, partition, NextUp(leader));
                moved++;
            }

            return moved;
        }
    }

    /// <summary>Broker <paramref name="brokerId"/> answers again. Leadership stays where it moved, as on Kafka until a preferred-leader election.</summary>
    public void BringBrokerUp(int brokerId)
    {
        lock (_gate)
        {
            CheckBroker(brokerId);
            Check(LibrdkafkaMock.rd_kafka_mock_broker_set_up(Live(), brokerId), $"set broker {brokerId} up");
            _down.Remove(brokerId);
        }
    }

    /// <summary>Broker <paramref name="brokerId"/> becomes the leader of the partition: clients of the old one get NOT_LEADER_OR_FOLLOWER and look again.</summary>
    public void MoveLeader(string topic, int partition, int brokerId)
    {
        lock (_gate)
        {
            CheckBroker(brokerId);
            if (!_leaders.ContainsKey((topic, partition)))
            {
                throw new ArgumentException($"The cluster did not create partition {partition} of topic {topic}.", nameof(partition));
            }

            SetLeader(topic, partition, brokerId);
        }
    }

    /// <summary>Every partition's leadership moves to the next broker that is up. Returns how many moved.</summary>
    public int MovePartitionLeaders()
    {
        lock (_gate)
        {
            var moved = 0;
            foreach (var ((topic, partition), leader) in _leaders.ToList())
            {
                var next = NextUp(leader);
                if (next != leader)
                {
                    SetLeader(topic, partition, next);
                    moved++;
                }
            }

            return moved;
        }
    }

    /// <summary>Broker <paramref name="brokerId"/> coordinates consumer group <paramref name="groupId"/> (its members find it there); it moves with <see cref="TakeBrokerDown"/>.</summary>
    public void AssignGroupCoordinator(string groupId, int brokerId)
    {
        lock (_gate)
        {
            CheckBroker(brokerId);
            SetCoordinator(groupId, brokerId);
        }
    }

    /// <summary>The broker a test made coordinator of <paramref name="groupId"/>, or null when the mock's hash chooses.</summary>
    public int? GroupCoordinatorOf(string groupId)
    {
        lock (_gate)
        {
            return _groupCoordinators.TryGetValue(groupId, out var broker) ? broker : null;
        }
    }

    /// <summary>
    /// The next requests of <paramref name="api"/>, to whichever broker, are answered with <paramref name="errors"/>
    /// one by one (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, …); <see cref="ErrorCode.Local_Transport"/> drops the connection instead.
    /// </summary>
    public void FailNextRequests(KafkaApi api, params ErrorCode[] errors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Length);
        var codes = errors.Select(e => (int)e).ToArray();
        lock (_gate)
        {
            LibrdkafkaMock.rd_kafka_mock_push_request_errors_array(Live(), (short)api, (UIntPtr)codes.Length, codes);
        }
    }

    /// <summary>Forgets the errors <see cref="FailNextRequests"/> queued for <paramref name="api"/> that no request took yet.</summary>
    public void ClearInjectedErrors(KafkaApi api)
    {
        lock (_gate)
        {
            LibrdkafkaMock.rd_kafka_mock_clear_request_errors(Live(), (short)api);
        }
    }

    /// <summary>Delays broker <paramref name="brokerId"/>'s answers by <paramref name="roundTrip"/>; zero makes it fast again.</summary>
    public void SetRoundTrip(int brokerId, TimeSpan roundTrip)
    {
        lock (_gate)
        {
            CheckBroker(brokerId);
            Check(LibrdkafkaMock.rd_kafka_mock_broker_set_rtt(Live(), brokerId, (int)roundTrip.TotalMilliseconds), $"set the round trip of broker {brokerId}");
        }
    }

    /// <summary>Leaders of a new topic spread over the brokers that are up, starting one further for each topic.</summary>
    private void PlaceLeaders(string topic, int partitions)
    {
        var topicIndex = _leaders.Keys.Select(k => k.Topic).Distinct(StringComparer.Ordinal).Count();
        var up = Enumerable.Range(1, Brokers).Where(id => !_down.Contains(id)).ToList();
        for (var partition = 0; partition < partitions; partition++)
        {
            var leader = up.Count == 0 ? 1 : up[(partition + topicIndex) % up.Count];
            if (Brokers > 1)
            {
                SetLeader(topic, partition, leader);
            }
            else
            {
                _leaders[(topic, partition)] = leader;
            }
        }
    }

    private void SetLeader(string topic, int partition, int brokerId)
    {
        Check(LibrdkafkaMock.rd_kafka_mock_partition_set_leader(Live(), topic, partition, brokerId), $"move the leader of {topic}[{partition}] to broker {brokerId}");
        _leaders[(topic, partition)] = brokerId;
    }

    private void SetCoordinator(string groupId, int brokerId)
    {
        Check(LibrdkafkaMock.rd_kafka_mock_coordinator_set(Live(), "group", groupId, brokerId), $"make broker {brokerId} coordinator of group {groupId}");
        _groupCoordinators[groupId] = brokerId;
    }

    /// <summary>The first broker after <paramref name="brokerId"/> (cycling) that is up.</summary>
    private int NextUp(int brokerId)
    {
        for (var step = 1; step <= Brokers; step++)
        {
            var candidate = ((brokerId - 1 + step) % Brokers) + 1;
            if (!_down.Contains(candidate))
            {
                return candidate;
            }
        }

        return brokerId;
    }

    private void CheckBroker(int brokerId)
    {
        if (brokerId < 1 || brokerId > Brokers)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"The cluster's brokers are 1 to {Brokers}.");
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"The mock cluster could not {what}: error {error}.");
        }
    }
}

/// <summary>Kafka protocol request types (ApiKey) that tests inject errors into.</summary>
public enum KafkaApi : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    InitProducerId = 22,
    ConsumerGroupHeartbeat = 68,
}
