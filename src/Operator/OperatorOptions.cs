using Microsoft.Extensions.Options;

namespace Streaming.Operator;

/// <summary>The <c>Operator</c> configuration section.</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";
    public const int MinTokenLength = 16;

    /// <summary>
    /// The secret that opens the page: sent as <c>Authorization: Bearer &lt;token&gt;</c>, or as the password of
    /// basic auth (what a browser asks for). Empty: the page is closed, every request gets 401.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The user name basic auth takes with the token.</summary>
    public string UserName { get; set; } = "operator";

    public bool Closed => string.IsNullOrEmpty(Token);
}

/// <summary>Refuses to start with credentials that would be weak or could never match.</summary>
public sealed class OperatorOptionsValidator : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        var failures = new List<string>();
        if (!options.Closed && (options.Token!.Length < OperatorOptions.MinTokenLength || string.IsNullOrWhiteSpace(options.Token)))
        {
            failures.Add($"{OperatorOptions.Section}:Token must be at least {OperatorOptions.MinTokenLength} characters, not {options.Token!.Length}: use a long random string (openssl rand -hex 32), or leave it empty to keep the page closed.");
        }

        if (string.IsNullOrWhiteSpace(options.UserName) || options.UserName.Contains(':', StringComparison.Ordinal))
        {
            failures.Add($"{OperatorOptions.Section}:UserName must be a name without ':' (basic auth separates it from the password with one), not '{options.UserName}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
