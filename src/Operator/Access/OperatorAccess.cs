using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Streaming.Operator.Access;

/// <summary>
/// Lets a request through only with the operator token, as a bearer token or as the password of basic
/// auth; everything else gets 401 with both challenges, so a browser asks for it. No token configured
/// means nobody gets in. Credentials are compared by their hashes in constant time: neither their
/// content nor their length shows in how long the answer takes.
/// </summary>
public sealed partial class OperatorAccess(IOptionsMonitor<OperatorOptions> options, ILogger<OperatorAccess> logger) : IEndpointFilter
{
    public const string Realm = "Operator view";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Allows(context.HttpContext) ? await next(context) : Refusal(context.HttpContext);

    private bool Allows(HttpContext context)
    {
        var current = options.CurrentValue;
        var header = context.Request.Headers.Authorization.ToString();
        if (!current.Closed && Allowed(header, current))
        {
            return true;
        }

        // A browser's first request comes without credentials; only wrong ones are worth a warning.
        if (current.Closed)
        {
            LogClosed(context.Request.Path);
        }
        else if (header.Length > 0)
        {
            LogWrongCredentials(context.Request.Path);
        }

        return false;
    }

    private IResult Refusal(HttpContext context)
    {
        var closed = options.CurrentValue.Closed;
        var headers = context.Response.Headers;
        headers.Append("WWW-Authenticate", $"Basic realm=\"{Realm}\", charset=\"UTF-8\"");
        headers.Append("WWW-Authenticate", $"Bearer realm=\"{Realm}\"");
        headers.CacheControl = "no-store";
        return Results.Text(
            closed
                ? "The operator view is closed: no Operator:Token is configured.\n"
                : "Sign in: Authorization: Bearer <Operator:Token>, or basic auth with Operator:UserName and the token as password.\n",
            "text/plain; charset=utf-8",
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static bool Allowed(string header, OperatorOptions options)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || value.Parameter is not { Length: > 0 } parameter)
        {
            return false;
        }

        if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Same(parameter, options.Token!);
        }

        if (!value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        // Both halves are compared whatever the first gave, so a right user name answers no faster.
        return colon >= 0 & Same(colon >= 0 ? pair[..colon] : pair, options.UserName) & Same(colon >= 0 ? pair[(colon + 1)..] : "", options.Token!);
    }

    private static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Path} with 401: the operator view is closed, no Operator:Token is configured")]
    private partial void LogClosed(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} with 401: wrong operator credentials")]
    private partial void LogWrongCredentials(string path);
}
