namespace Streaming.Ingest.Requests;

/// <summary>
/// The success answers, serialized once: each is a few fixed bytes with a Content-Length, not a JSON
/// serialization and a chunked body per request. Written directly rather than through
/// <c>Results.Bytes</c>, whose file-result path (ranges, validators) cost about 2 µs a request.
/// </summary>
public static class Answers
{
    private static readonly byte[] AcceptedBody = """{"status":"accepted"}"""u8.ToArray();
    private static readonly byte[] DuplicateBody = """{"status":"duplicate"}"""u8.ToArray();
    private static readonly byte[] IgnoredBody = """{"status":"ignored"}"""u8.ToArray();

    public static IResult Accepted { get; } = new Status(StatusCodes.Status200OK, AcceptedBody);

    public static IResult AcceptedForLater { get; } = new Status(StatusCodes.Status202Accepted, AcceptedBody);

    public static IResult Duplicate { get; } = new Status(StatusCodes.Status200OK, DuplicateBody);

    public static IResult Ignored { get; } = new Status(StatusCodes.Status200OK, IgnoredBody);

    private sealed class Status(int status, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            var written = httpContext.Response.BodyWriter.WriteAsync(body);
            return written.IsCompletedSuccessfully ? Task.CompletedTask : written.AsTask();
        }
    }
}
