using Streaming.Contracts;
using Streaming.Dispatcher.Pinterest;

namespace Streaming.Dispatcher.Delivery;

/// <summary>
/// Decides, from what came back for a request, what becomes of its events. Pure: status, headers and
/// body in, a decision out; waiting, sending again and writing outcomes are the lane's to do.
/// </summary>
public static class AnswerPolicy
{
    /// <param name="events">How many events the request carried.</param>
    /// <param name="withMarket">Whether the request carried the market fields.</param>
    /// <param name="now">When the answer came, for a Retry-After given as a date.</param>
    public static AnswerDecision Decide(PinterestResponse response, int events, bool withMarket, DispatcherOptions options, DateTimeOffset now) =>
        Decide(PinterestAnswer.Read(response, now), events, withMarket, options);

    public static AnswerDecision Decide(PinterestAnswer answer, int events, bool withMarket, DispatcherOptions options) => answer.Kind switch
    {
        AnswerKind.PerEvent => new AnswerDecision.Finish(answer, PerEvent(answer.EventErrors ?? [], events)),
        AnswerKind.DryRun => new AnswerDecision.Finish(answer, Enumerable.Repeat(EventFate.DryRun, events).ToList()),
        // Pinterest's schema has no market fields: this ad account will not get them again.
        AnswerKind.BadRequest when withMarket && MentionsMarket(answer.Message) => new AnswerDecision.ResendWithoutMarket(answer),
        // One bad event spoils the request: halve it until the bad ones stand alone.
        // Too large for Pinterest or a proxy before it: halved the same way, so the valid events still go.
        AnswerKind.BadRequest or AnswerKind.TooLarge when events > 1 => new AnswerDecision.Split(answer, events / 2),
        AnswerKind.TooLarge => new AnswerDecision.DeadLetter(
            answer,
            DeliveryStatus.Reasons.Rejected(answer.StatusCode),
            $"The event is too large to send even alone: Pinterest or a proxy in front of it answered 413 ({answer.Message})."),
        AnswerKind.BadRequest or AnswerKind.Rejected =>
            new AnswerDecision.DeadLetter(answer, DeliveryStatus.Reasons.Rejected(answer.StatusCode), answer.Message),
        AnswerKind.Unauthorized => new AnswerDecision.PauseShop(answer),
        AnswerKind.RampedDown => new AnswerDecision.RetryAfter(answer, Longer(options.RampedDownBackoff, answer.RetryAfter)),
        AnswerKind.RateLimited when answer.RetryAfter is { } asked =>
            new AnswerDecision.RetryAfter(answer, asked < options.MaxRetryAfter ? asked : options.MaxRetryAfter),
        // Unavailable, or rate limited without saying for how long.
        _ => new AnswerDecision.RetryWithBackoff(answer, answer.RetryAfter, options.MaxRetryAfter),
    };

    /// <summary>Only a status of failed fails an event: one the answer lists otherwise, or not at all, was taken.</summary>
    private static List<EventFate> PerEvent(IReadOnlyList<string?> errors, int events) =>
        Enumerable.Range(0, events).Select(i => i < errors.Count && errors[i] is { } error ? EventFate.Failed(error) : EventFate.Accepted).ToList();

    private static bool MentionsMarket(string message) =>
        message.Contains("market_id", StringComparison.Ordinal) || message.Contains("market_handle", StringComparison.Ordinal);

    private static TimeSpan Longer(TimeSpan wait, TimeSpan? asked) => asked is { } a && a > wait ? a : wait;
}
