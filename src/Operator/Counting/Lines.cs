namespace Streaming.Operator.Counting;

/// <summary>One delivery record as the page lists it: key names and Pinterest's message, never customer data.</summary>
public sealed record DeliveryLine(
    DateTime AnsweredAt,
    string EventName,
    string EventId,
    string Status,
    string? DeadLetterReason,
    int Attempts,
    long LatencyMs,
    IReadOnlyList<string> MatchKeys,
    string? Message,
    bool TestMode,
    string? Replay);

/// <summary>One dead letter as the page lists it: where it came from and why, never its key or value (raw bodies hold PII).</summary>
public sealed record DeadLetterLine(DateTime FailedAt, string Service, string Reason, string Error, string SourceTopic, int SourcePartition, long SourceOffset);
