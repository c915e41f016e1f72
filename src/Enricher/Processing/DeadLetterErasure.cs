namespace Streaming.Enricher.Processing;

/// <summary>
/// A compliance request's work on the dead-letter topic, asked for by one task (that of partition 0) and
/// carried out by the batch before it commits: the letters it finds are added to <paramref name="Report"/>
/// as one holding and, unless the request only asks what is held, replaced by redacted copies.
/// </summary>
/// <param name="OrderIds">The customer's orders; null for a whole shop.</param>
public sealed record DeadLetterErasure(
    PrivacyReport Report,
    bool Erase,
    string? CustomerId,
    string? Email,
    string? Phone,
    IReadOnlySet<string>? OrderIds);

/// <summary>Finds, reports and redacts dead letters for a compliance request.</summary>
public interface IDeadLetterEraser
{
    /// <summary>What the dead-letter topic holds for the request; with <see cref="DeadLetterErasure.Erase"/>, acknowledged as redacted.</summary>
    Task<PrivacyHolding> EraseAsync(DeadLetterErasure erasure, CancellationToken cancellationToken);
}
