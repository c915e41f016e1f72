namespace Streaming.Dispatcher.Tests.Privacy;

public sealed class PersonalDataMaskTests
{
    [Theory]
    // Addresses.
    [InlineData("Invalid client_ip_address 203.0.113.9", "Invalid client_ip_address [redacted]")]
    [InlineData("Invalid client_ip_address '203.0.113.9' for ada@example.com", "Invalid client_ip_address '[redacted]' for [redacted]")]
    [InlineData("bad ip 2001:db8:85a3::8a2e:370:7334 given", "bad ip [redacted] given")]
    [InlineData("bad ip 2001:0db8:0000:0000:0000:ff00:0042:8329", "bad ip [redacted]")]
    [InlineData("from ::1", "from [redacted]")]
    [InlineData("from ::ffff:198.51.100.7", "from ::ffff:[redacted]")]
    // E-mails.
    [InlineData("em must be hashed, got ada.lovelace@example.com.", "em must be hashed, got [redacted]")]
    [InlineData("'ada@example.com' is not a hash", "'[redacted]' is not a hash")]
    [InlineData("\"ada+shop@mail.example.co.uk\"", "\"[redacted]\"")]
    // Phone numbers, as Shopify stores them (E.164) or as people write them.
    [InlineData("ph must be hashed, got '+4915112345678'", "ph must be hashed, got '[redacted]'")]
    [InlineData("call +1 (555) 123-4567 now", "call [redacted] now")]
    [InlineData("phone 555-123-4567.", "phone [redacted].")]
    [InlineData("phone (555) 123 4567", "phone [redacted]")]
    [InlineData("tel 030 1234 5678", "tel [redacted]")]
    // Hashes: a SHA-256 of an e-mail or a phone number still points at the shopper.
    [InlineData("em 973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b is a duplicate", "em [redacted] is a duplicate")]
    [InlineData("['973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B']", "['[redacted]']")]
    // What must stay readable: times, ids, amounts, reasons.
    [InlineData("event_time 2026-11-25T18:26:25Z is too old", "event_time 2026-11-25T18:26:25Z is too old")]
    [InlineData("event_time 2026-11-25 18:26:25 is too old", "event_time 2026-11-25 18:26:25 is too old")]
    [InlineData("event_time 1795867220 is too old", "event_time 1795867220 is too old")]
    [InlineData("Older than 7.00:00:00", "Older than 7.00:00:00")]
    [InlineData("order 9007199254740993: currency 'EURO'", "order 9007199254740993: currency 'EURO'")]
    [InlineData("ad account 549755813888, event checkout-5820391846711", "ad account 549755813888, event checkout-5820391846711")]
    [InlineData("value '1234.56' is not a string", "value '1234.56' is not a string")]
    [InlineData("trace 4bf92f3577b34da6a3ce929d0e0e4736", "trace 4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("Additional properties are not allowed ('market_handle', 'market_id' were unexpected)", "Additional properties are not allowed ('market_handle', 'market_id' were unexpected)")]
    [InlineData("", "")]
    public void Shoppers_addresses_phones_and_hashes_are_masked_and_the_rest_of_the_message_stays(string message, string masked)
    {
        Assert.Equal(masked, PersonalDataMask.Apply(message));
    }
}
