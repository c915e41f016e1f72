namespace Streaming.Operator.Tests.Counting;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("Invalid client_ip_address 203.0.113.9", "Invalid client_ip_address [redacted]")]
    [InlineData("bad ip 2001:db8:85a3::8a2e:370:7334 given", "bad ip [redacted] given")]
    [InlineData("bad ip 2001:0db8:0000:0000:0000:ff00:0042:8329", "bad ip [redacted]")]
    [InlineData("from ::ffff:198.51.100.7", "from ::ffff:[redacted]")]
    [InlineData("em must be hashed, got ada.lovelace@example.com.", "em must be hashed, got [redacted]")]
    [InlineData("'ada@example.com' is not a hash", "'[redacted]' is not a hash")]
    // A hash of an e-mail still points at the shopper (the same mask as the dispatcher's, PersonalDataMask).
    [InlineData("em 973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b is fine", "em [redacted] is fine")]
    // What must stay readable: times, ids, reasons.
    [InlineData("event_time 2026-11-25T18:26:25Z is too old", "event_time 2026-11-25T18:26:25Z is too old")]
    [InlineData("Older than 7.00:00:00", "Older than 7.00:00:00")]
    [InlineData("order 9007199254740993: currency 'EURO'", "order 9007199254740993: currency 'EURO'")]
    public void Addresses_and_e_mails_are_masked_and_the_rest_of_the_message_stays(string message, string shown)
    {
        Assert.Equal(shown, Redaction.Text(message));
    }
}
