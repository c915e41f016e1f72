using Streaming.Contracts;
using Streaming.Dispatcher.Pinterest;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// What becomes of a request's events after an answer: the lane only carries it out. Every case names
/// the <see cref="Answer"/> it came from, for the logs and the request metric.
/// </summary>
public abstract record AnswerDecision(PinterestAnswer Answer)
{
    /// <summary>Each event has its final word, in request order (accepted, failed and dead-lettered, dry run).</summary>
    public sealed record Finish(PinterestAnswer Answer, IReadOnlyList<EventFate> Fates) : AnswerDecision(Answer);

    /// <summary>Pinterest refused the whole request and no retry changes that: every event is dead-lettered.</summary>
    public sealed record DeadLetter(PinterestAnswer Answer, string Reason, string Message) : AnswerDecision(Answer);

    /// <summary>The same events go again after <see cref="Wait"/>, which Pinterest asked for (or the ramp-down backoff).</summary>
    public sealed record RetryAfter(PinterestAnswer Answer, TimeSpan Wait) : AnswerDecision(Answer);

    /// <summary>
    /// The same events go again after the ad account's next backoff (a failure counted), no shorter than
    /// what the answer asked for and no longer than <see cref="AtMost"/>.
    /// </summary>
    public sealed record RetryWithBackoff(PinterestAnswer Answer, TimeSpan? AtLeast, TimeSpan AtMost) : AnswerDecision(Answer)
    {
        public TimeSpan Wait(TimeSpan backoff)
        {
            var wait = AtLeast is { } asked && asked > backoff ? asked : backoff;
            return wait > AtMost ? AtMost : wait;
        }
    }

    /// <summary>The events go again as two requests, split before the <see cref="At"/>-th, until a bad one stands alone.</summary>
    public sealed record Split(PinterestAnswer Answer, int At) : AnswerDecision(Answer);

    /// <summary>The ad account refuses the market fields: the same events go again without them, and so does every later request.</summary>
    public sealed record ResendWithoutMarket(PinterestAnswer Answer) : AnswerDecision(Answer);

    /// <summary>The shop's conversion token was refused: the shop is paused, its events held until the token changes.</summary>
    public sealed record PauseShop(PinterestAnswer Answer) : AnswerDecision(Answer)
    {
        public string Why => $"Pinterest answered {Answer.StatusCode}: {Answer.Message}";
    }
}

/// <summary>One event's final word: its delivery status, the message that goes with it, and a dead-letter reason where one is due.</summary>
public readonly record struct EventFate(string Status, string? Message = null, string? DeadLetterReason = null)
{
    public static EventFate Accepted { get; } = new(DeliveryStatus.Processed);

    public static EventFate DryRun { get; } = new(DeliveryStatus.DryRun);

    public static EventFate Failed(string error) => new(DeliveryStatus.Failed, error, DeliveryStatus.Reasons.EventFailed);

    /// <summary>Pinterest took the event: its id is remembered and never sent again.</summary>
    public bool IsAccepted => Status == DeliveryStatus.Processed;
}
