namespace Streaming.Ingest.Requests;

/// <summary>
/// The success answers, serialized once: each is a few fixed bytes with a Content-Length, not a JSON
/// serialization and a chunked body per request.
/// </summary>
public static class Answers
{
    private static readonly byte[] AcceptedBody = """{"status":"accepted"}"""u8.ToArray();
    private static readonly byte[] DuplicateBody = """{"status":"duplicate"}"""u8.ToArray();
    private static readonly byte[] IgnoredBody = """{"status":"ignored"}"""u8.ToArray();

    public static IResult Accepted { get; } = Results.Bytes(AcceptedBody, "application/json");

    public static IResult AcceptedForLater { get; } = new Status(StatusCodes.Status202Accepted, AcceptedBody);

    public static IResult Duplicate { get; } = Results.Bytes(DuplicateBody, "application/json");

    public static IResult Ignored { get; } = Results.Bytes(IgnoredBody, "application/json");

    private sealed class Status(int status, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
