namespace Streaming.Contracts;

/// <summary>
/// Pinterest's <c>user_data</c> keys it matches on, in the order delivery records list them: the dispatcher
/// records which an event carried, the operator view shows each one's coverage.
/// </summary>
public static class MatchKeyNames
{
    public const string Email = "em";
    public const string Phone = "ph";
    public const string FirstName = "fn";
    public const string LastName = "ln";
    public const string City = "ct";
    public const string State = "st";
    public const string Zip = "zp";
    public const string Country = "country";
    public const string ExternalId = "external_id";
    public const string ClientIpAddress = "client_ip_address";
    public const string ClientUserAgent = "client_user_agent";
    public const string ClickId = "click_id";

    public static IReadOnlyList<string> All { get; } =
        [Email, Phone, FirstName, LastName, City, State, Zip, Country, ExternalId, ClientIpAddress, ClientUserAgent, ClickId];
}
