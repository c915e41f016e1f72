namespace Streaming.Replay.Shopify;

/// <summary>What went wrong with a call to a shop's Admin API, told apart because each has its own fix (and exit code).</summary>
public enum ShopifyAdminFailure
{
    /// <summary>Anything else: an unexpected status, an unreadable answer, a GraphQL error.</summary>
    Failed,

    /// <summary>HTTP 401 or 403: the token is wrong, revoked, or of another shop.</summary>
    TokenRefused,

    /// <summary>ACCESS_DENIED: the token is good but its app lacks a scope the call needs.</summary>
    MissingScope,
}

public sealed class ShopifyAdminException(string message, ShopifyAdminFailure failure = ShopifyAdminFailure.Failed) : Exception(message)
{
    public ShopifyAdminFailure Failure { get; } = failure;
}
