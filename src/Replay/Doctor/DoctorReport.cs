using System.Text.Json;

namespace Streaming.Replay.Doctor;

/// <summary>The checks as a table (one line each, ✓ or ✗, and the fix under a failure) or as JSON for scripts.</summary>
public sealed class DoctorReport(IReadOnlyList<Check> checks)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Passed => checks.All(c => c.Status != CheckStatus.Failed);

    public async Task WriteTableAsync(TextWriter output)
    {
        var scopeWidth = checks.Max(c => c.Scope.Length);
        var nameWidth = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            await output.WriteLineAsync($"{check.Mark} {check.Scope.PadRight(scopeWidth)}  {check.Name.PadRight(nameWidth)}  {check.Detail}").ConfigureAwait(false);
            if (check.Fix is { } fix)
            {
                await output.WriteLineAsync($"  {new string(' ', scopeWidth + nameWidth + 2)}fix: {fix}").ConfigureAwait(false);
            }
        }

        var failed = checks.Count(c => c.Status == CheckStatus.Failed);
        var skipped = checks.Count(c => c.Status == CheckStatus.Skipped);
        await output.WriteLineAsync(
            $"{checks.Count - failed - skipped} passed, {failed} failed, {skipped} not checked{(Passed ? "" : ": fix what failed, then run doctor again")}").ConfigureAwait(false);
    }

    public async Task WriteJsonAsync(TextWriter output) =>
        await output.WriteLineAsync(JsonSerializer.Serialize(new
        {
            passed = Passed,
            checks = checks.Select(c => new { scope = c.Scope, name = c.Name, status = c.Status.ToString().ToLowerInvariant(), detail = c.Detail, fix = c.Fix }),
        }, Json)).ConfigureAwait(false);
}
