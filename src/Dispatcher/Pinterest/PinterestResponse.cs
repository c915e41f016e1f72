namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// What came back for one request, as it came: Pinterest's HTTP answer, or why there was none. Reading it
/// is <see cref="PinterestAnswer.Read"/>'s job, so that every answer can be tried without HTTP.
/// </summary>
public abstract record PinterestResponse
{
    private PinterestResponse()
    {
    }

    /// <summary>Pinterest answered. <paramref name="Headers"/> holds the first value of each header, found whatever its case.</summary>
    public sealed record Http(int Status, IReadOnlyDictionary<string, string> Headers, string Body) : PinterestResponse
    {
        public Http(int status, string body, params (string Name, string Value)[] headers)
            : this(status, headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), body)
        {
        }
    }

    /// <summary>No answer: a timeout, a refused or reset connection, an open circuit.</summary>
    public sealed record NoAnswer(string Why) : PinterestResponse;

    /// <summary>Not sent: the shop has no conversion token, and the request went to the dry-run file instead.</summary>
    public sealed record DryRun : PinterestResponse;
}
