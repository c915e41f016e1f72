namespace Streaming.Dispatcher.Tests.Delivery;

/// <summary>
/// Every answer the dispatcher knows, from status, headers and body to what becomes of the request's
/// events, without HTTP. The defaults apply: Retry-After is honoured up to 15 minutes, and a ramped-down
/// endpoint waits at least 15 minutes.
/// </summary>
public sealed class AnswerPolicyTests
{
    private const string Processed3 = """{"num_events_received":3,"num_events_processed":3,"events":[{"status":"processed","error_message":"","warning_message":""},{"status":"processed","error_message":"","warning_message":""},{"status":"processed","error_message":"","warning_message":""}]}""";
    private const string SecondFailed = """{"num_events_received":3,"num_events_processed":2,"events":[{"status":"processed","error_message":"","warning_message":""},{"status":"failed","error_message":"em is not a hash","warning_message":""},{"status":"processed","error_message":"","warning_message":""}]}""";
    private const string FailedWithoutMessage = """{"events":[{"status":"failed"},{"status":"processed"},{"status":"failed","error_message":""}]}""";
    private const string ListsOnlyTheFirst = """{"events":[{"status":"failed","error_message":"bad event_time"}]}""";
    private const string Invalid = """{"code":4196,"message":"The request was invalid."}""";
    private const string MarketRefused = """{"code":4196,"message":"Invalid request: Additional properties are not allowed ('market_handle', 'market_id' were unexpected)"}""";
    private const string AuthenticationFailed = """{"code":2,"message":"Authentication failed."}""";
    private const string NotPermitted = """{"code":29,"message":"You are not permitted to access that resource."}""";
    private const string TooLarge = """{"code":413,"message":"Request entity too large."}""";
    private const string QuotesAShopper = """{"code":4196,"message":"Invalid client_ip_address '203.0.113.9' for em 'ada.lovelace@example.com'"}""";
    private const string EventQuotesAShopper = """{"events":[{"status":"failed","error_message":"ph '+4915112345678' is not a hash"},{"status":"processed"}]}""";
    private const string RateLimited = """{"code":8,"message":"Rate limit exceeded"}""";
    private const string InternalError = """{"code":0,"message":"Internal error"}""";
    private const string RampedDown = """{"code":4197,"message":"The endpoint has been ramped down and is currently not accepting any traffic."}""";

    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly DispatcherOptions Options = new();

    [Theory]
    // 2xx: each event has its own word; only a status of failed fails one, and is dead-lettered.
    [InlineData(200, Processed3, null, 3, true, "finish processed, processed, processed")]
    [InlineData(200, SecondFailed, null, 3, true, "finish processed, failed (em is not a hash) -> pinterest_event_failed, processed")]
    [InlineData(200, FailedWithoutMessage, null, 3, true, "finish failed (failed) -> pinterest_event_failed, processed, failed (failed) -> pinterest_event_failed")]
    [InlineData(200, ListsOnlyTheFirst, null, 3, true, "finish failed (bad event_time) -> pinterest_event_failed, processed, processed")]
    [InlineData(201, "", null, 2, true, "finish processed, processed")]
    [InlineData(200, "not json", null, 2, true, "finish processed, processed")]
    [InlineData(200, """{"events":"none"}""", null, 2, true, "finish processed, processed")]
    // 422 with the events listed is answered per event; without them the request is refused.
    [InlineData(422, SecondFailed, null, 3, true, "finish processed, failed (em is not a hash) -> pinterest_event_failed, processed")]
    [InlineData(422, Invalid, null, 3, true, "dead-letter pinterest_rejected_422: The request was invalid.")]
    // 400 for the whole request: halved until the bad event stands alone, then dead-lettered; a per-event list does not change that.
    [InlineData(400, Invalid, null, 5, true, "split at 2")]
    [InlineData(400, Invalid, null, 2, true, "split at 1")]
    [InlineData(400, Invalid, null, 1, true, "dead-letter pinterest_rejected_400: The request was invalid.")]
    [InlineData(400, SecondFailed, null, 3, true, "split at 1")]
    [InlineData(400, "<html>Bad Request</html>", null, 1, true, "dead-letter pinterest_rejected_400: <html>Bad Request</html>")]
    // The market fields refused: sent again without them, once; after that a 400 is a 400.
    [InlineData(400, MarketRefused, null, 3, true, "resend without market")]
    [InlineData(400, MarketRefused, null, 1, true, "resend without market")]
    [InlineData(400, MarketRefused, null, 3, false, "split at 1")]
    [InlineData(400, MarketRefused, null, 1, false, "dead-letter pinterest_rejected_400: Invalid request: Additional properties are not allowed ('market_handle', 'market_id' were unexpected)")]
    // A refused token pauses the shop; its events are held, never dead-lettered.
    [InlineData(401, AuthenticationFailed, null, 3, true, "pause: Pinterest answered 401: Authentication failed.")]
    [InlineData(403, NotPermitted, null, 3, true, "pause: Pinterest answered 403: You are not permitted to access that resource.")]
    // 413, from Pinterest or a proxy in front of it: halved like a 400, so the valid events still go; an event too large alone is dead-lettered.
    [InlineData(413, TooLarge, null, 1000, true, "split at 500")]
    [InlineData(413, "<html>413 Request Entity Too Large</html>", null, 3, true, "split at 1")]
    [InlineData(413, TooLarge, null, 1, true, "dead-letter pinterest_rejected_413: The event is too large to send even alone: Pinterest or a proxy in front of it answered 413 (Request entity too large.).")]
    [InlineData(413, "<html>413 Request Entity Too Large</html>", null, 1, false, "dead-letter pinterest_rejected_413: The event is too large to send even alone: Pinterest or a proxy in front of it answered 413 (<html>413 Request Entity Too Large</html>).")]
    // Pinterest quotes what it refused: the shopper's data is masked before any log, delivery record or dead letter gets the message.
    [InlineData(400, QuotesAShopper, null, 1, true, "dead-letter pinterest_rejected_400: Invalid client_ip_address '[redacted]' for em '[redacted]'")]
    [InlineData(400, "Bad request from 203.0.113.9", null, 1, true, "dead-letter pinterest_rejected_400: Bad request from [redacted]")]
    [InlineData(200, EventQuotesAShopper, null, 2, true, "finish failed (ph '[redacted]' is not a hash) -> pinterest_event_failed, processed")]
    [InlineData(403, """{"code":29,"message":"Not permitted for ada@example.com"}""", null, 1, true, "pause: Pinterest answered 403: Not permitted for [redacted]")]
    // No retry changes these: every event is dead-lettered.
    [InlineData(404, "", null, 2, true, "dead-letter pinterest_rejected_404: ")]
    [InlineData(302, "", null, 2, true, "dead-letter pinterest_rejected_302: ")]
    [InlineData(409, InternalError, "Retry-After: 5", 2, true, "dead-letter pinterest_rejected_409: Internal error")]
    // 429: as long as Pinterest asks (Retry-After in seconds or as a date, else X-RateLimit-Reset), at most 15 minutes.
    [InlineData(429, RateLimited, "Retry-After: 4", 3, true, "retry after 00:00:04")]
    [InlineData(429, RateLimited, "retry-after: 0", 3, true, "retry after 00:00:00")]
    [InlineData(429, RateLimited, "Retry-After: 3600", 3, true, "retry after 00:15:00")]
    [InlineData(429, RateLimited, "Retry-After: Sat, 28 Nov 2026 12:00:30 GMT", 3, true, "retry after 00:00:30")]
    [InlineData(429, RateLimited, "Retry-After: Sat, 28 Nov 2026 11:59:00 GMT", 3, true, "retry after 00:00:00")]
    [InlineData(429, RateLimited, "X-RateLimit-Reset: 7", 3, true, "retry after 00:00:07")]
    [InlineData(429, RateLimited, "X-RateLimit-Reset: 1795867220", 3, true, "retry after 00:00:20")]
    [InlineData(429, RateLimited, "Retry-After: soon", 3, true, "backoff, at least -, at most 00:15:00")]
    [InlineData(429, RateLimited, null, 3, true, "backoff, at least -, at most 00:15:00")]
    // 5xx and 408: the ad account's backoff, no shorter than a Retry-After, at most 15 minutes.
    [InlineData(500, InternalError, null, 3, true, "backoff, at least -, at most 00:15:00")]
    [InlineData(500, InternalError, "Retry-After: 10", 3, true, "backoff, at least 00:00:10, at most 00:15:00")]
    [InlineData(502, "<html>Bad gateway</html>", null, 3, true, "backoff, at least -, at most 00:15:00")]
    [InlineData(503, InternalError, null, 3, true, "backoff, at least -, at most 00:15:00")]
    [InlineData(504, "", null, 3, true, "backoff, at least -, at most 00:15:00")]
    [InlineData(408, "", "Retry-After: 2", 3, true, "backoff, at least 00:00:02, at most 00:15:00")]
    // 503 with code 4197: ramped down on purpose, a long wait (longer if Pinterest asks for longer).
    [InlineData(503, RampedDown, null, 3, true, "retry after 00:15:00")]
    [InlineData(503, RampedDown, "Retry-After: 3600", 3, true, "retry after 01:00:00")]
    [InlineData(500, RampedDown, null, 3, true, "backoff, at least -, at most 00:15:00")]
    public void An_answer_decides_what_becomes_of_the_requests_events(int status, string body, string? header, int events, bool withMarket, string expected)
    {
        var headers = header is null ? [] : new[] { (header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()) };

        var decision = AnswerPolicy.Decide(new PinterestResponse.Http(status, body, headers), events, withMarket, Options, Now);

        Assert.Equal(expected, Describe(decision));
        Assert.Equal(status, decision.Answer.StatusCode);
    }

    [Theory]
    [InlineData("Pinterest did not answer in time.")]
    [InlineData("Pinterest could not be reached: ConnectionError.")]
    [InlineData("The circuit for this ad account is open after repeated failures.")]
    public void No_answer_at_all_is_retried_after_the_backoff(string why)
    {
        var decision = AnswerPolicy.Decide(new PinterestResponse.NoAnswer(why), 3, true, Options, Now);

        Assert.Equal("backoff, at least -, at most 00:15:00", Describe(decision));
        Assert.Equal((AnswerKind.Unavailable, 0, why), (decision.Answer.Kind, decision.Answer.StatusCode, decision.Answer.Message));
    }

    [Fact]
    public void A_dry_run_finishes_every_event_as_dry_run_and_none_as_accepted()
    {
        var decision = AnswerPolicy.Decide(new PinterestResponse.DryRun(), 2, true, Options, Now);

        Assert.Equal("finish dry_run, dry_run", Describe(decision));
        Assert.DoesNotContain(((AnswerDecision.Finish)decision).Fates, f => f.IsAccepted);
    }

    [Fact]
    public void A_long_error_body_is_cut_at_500_characters_for_logs_and_dead_letters()
    {
        var body = new string('x', 800);

        var decision = AnswerPolicy.Decide(new PinterestResponse.Http(404, body), 1, true, Options, Now);

        Assert.Equal(new string('x', 500) + "…", ((AnswerDecision.DeadLetter)decision).Message);
    }

    [Theory]
    [InlineData(0.5, null, 0.5)]
    [InlineData(0.5, 10.0, 10.0)]
    [InlineData(30.0, 10.0, 30.0)]
    [InlineData(1200.0, null, 900.0)]
    [InlineData(1.0, 3600.0, 900.0)]
    public void A_backoff_wait_is_no_shorter_than_asked_and_no_longer_than_the_cap(double backoff, double? asked, double expected)
    {
        var retry = new AnswerDecision.RetryWithBackoff(
            new PinterestAnswer(AnswerKind.Unavailable, 500, ""), asked is { } a ? TimeSpan.FromSeconds(a) : null, TimeSpan.FromMinutes(15));

        Assert.Equal(TimeSpan.FromSeconds(expected), retry.Wait(TimeSpan.FromSeconds(backoff)));
    }

    private static string Describe(AnswerDecision decision) => decision switch
    {
        AnswerDecision.Finish finish => "finish " + string.Join(", ", finish.Fates.Select(f =>
            f.DeadLetterReason is null ? f.Status : $"{f.Status} ({f.Message}) -> {f.DeadLetterReason}")),
        AnswerDecision.DeadLetter letter => $"dead-letter {letter.Reason}: {letter.Message}",
        AnswerDecision.RetryAfter retry => $"retry after {retry.Wait}",
        AnswerDecision.RetryWithBackoff retry => $"backoff, at least {retry.AtLeast?.ToString() ?? "-"}, at most {retry.AtMost}",
        AnswerDecision.Split split => $"split at {split.At}",
        AnswerDecision.ResendWithoutMarket => "resend without market",
        AnswerDecision.PauseShop pause => $"pause: {pause.Why}",
        _ => decision.ToString(),
    };
}
