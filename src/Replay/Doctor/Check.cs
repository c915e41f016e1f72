namespace Streaming.Replay.Doctor;

public enum CheckStatus
{
    Passed,
    Failed,

    /// <summary>Could not be checked from here, for a reason that is no fault (said in the detail): it does not fail the run.</summary>
    Skipped,
}

/// <summary>One line of the doctor's table.</summary>
/// <param name="Scope"><c>cluster</c>, or the shop's domain.</param>
/// <param name="Name">What was checked, for example <c>topic shopify.webhooks</c>.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do about a failure; null when it passed.</param>
public sealed record Check(string Scope, string Name, CheckStatus Status, string Detail, string? Fix = null)
{
    public const string Cluster = "cluster";

    public static Check Pass(string scope, string name, string detail) => new(scope, name, CheckStatus.Passed, detail);

    public static Check Fail(string scope, string name, string detail, string fix) => new(scope, name, CheckStatus.Failed, detail, fix);

    public static Check Skip(string scope, string name, string detail) => new(scope, name, CheckStatus.Skipped, detail);

    public string Mark => Status switch
    {
        CheckStatus.Passed => "✓",
        CheckStatus.Failed => "✗",
        _ => "–",
    };
}
