namespace Streaming.Enricher.Tests.Hashing;

/// <summary>Pinterest's normalization, field by field; null means the value is left out, never guessed.</summary>
public sealed class MatchKeysTests
{
    public static TheoryData<string, string?, string?, string?> Cases() => new()
    {
        // field, input, country, normalized
        { "em", "  Zoe.Angstrom@Example.NET ", null, "zoe.angstrom@example.net" },
        { "em", "ZOË@EXAMPLE.COM", null, "zoë@example.com" },
        { "em", "zoe\u0308@example.com", null, "zoë@example.com" },
        { "em", "no-at-sign.example.com", null, null },
        { "em", "@example.com", null, null },
        { "em", "zoe@", null, null },
        { "em", "zo e@example.com", null, null },
        { "em", "   ", null, null },
        { "em", null, null, null },
        { "ph", "+1 (613) 555-0142", "US", "16135550142" },
        { "ph", "+44 20 7946 0958", "GB", "442079460958" },
        { "ph", "0044 20 7946 0958", "GB", "442079460958" },
        { "ph", "020 7946 0958", "GB", "442079460958" },
        { "ph", "(613) 555-0142", "CA", "16135550142" },
        { "ph", "030 901820", "de", "4930901820" },
        { "ph", "+49 (0)30 901820", "DE", "4930901820" },
        { "ph", "555-0142", "ZZ", null },
        { "ph", "0142", "US", null },
        { "ph", "+1 613 555 0142 ext. 99999999", "US", null },
        { "ph", "call me", "US", null },
        { "fn", "  Zoë ", null, "zoë" },
        { "fn", "ZOE\u0308", null, "zoë" },
        { "fn", "Mary Ann", null, "mary ann" },
        { "ln", "Ångström", null, "ångström" },
        { "ln", "山田", null, "山田" },
        { "ln", "", null, null },
        { "ct", "New York", null, "newyork" },
        { "ct", "St. John's", null, "stjohns" },
        { "ct", "Saint-Étienne", null, "saintétienne" },
        { "ct", "  Zürich ", null, "zürich" },
        { "ct", "東京", null, "東京" },
        { "ct", "!!!", null, null },
        { "st", "CA", null, "ca" },
        { "st", " on ", null, "on" },
        { "st", "NSW", null, "nsw" },
        { "st", "California", null, null },
        { "st", "1", null, null },
        { "zp", "10001", "US", "10001" },
        { "zp", "10001-1234", "US", "10001" },
        { "zp", "1000", "US", null },
        { "zp", "SW1A 1AA", "GB", "sw1a1aa" },
        { "zp", "K1A 0B1", "CA", "k1a0b1" },
        { "zp", "1011 AB", "NL", "1011ab" },
        { "zp", "75001", "FR", "75001" },
        { "zp", "D-10115", "DE", null },
        { "zp", "10115", "DE", "10115" },
        { "zp", "", "US", null },
        { "country", "US", null, "us" },
        { "country", " gb ", null, "gb" },
        { "country", "USA", null, null },
        { "country", "U1", null, null },
        { "external_id", "7310019485771", null, "7310019485771" },
        { "external_id", "gid://shopify/Customer/7310019485771", null, "7310019485771" },
        { "external_id", "abc", null, null },
        { "external_id", "0", null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_key_is_normalized_as_Pinterest_asks(string field, string? input, string? country, string? expected)
    {
        var normalized = field switch
        {
            "em" => MatchKeys.Email(input),
            "ph" => MatchKeys.Phone(input, country),
            "fn" or "ln" => MatchKeys.Name(input),
            "ct" => MatchKeys.City(input),
            "st" => MatchKeys.State(input),
            "zp" => MatchKeys.Zip(input, country),
            "country" => MatchKeys.Country(input),
            "external_id" => MatchKeys.ExternalId(input),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void Composed_and_decomposed_letters_hash_alike()
    {
        Assert.Equal(
            MatchKeys.Sha256Hex(MatchKeys.Name("Zoë")!),
            MatchKeys.Sha256Hex(MatchKeys.Name("Zoe\u0308")!));
    }

    [Fact]
    public void The_hash_is_lowercase_hex_sha256_of_the_utf8_bytes()
    {
        // printf %s 'zoe.angstrom@example.net' | sha256sum
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("zoe.angstrom@example.net"u8)),
            MatchKeys.Sha256Hex("zoe.angstrom@example.net"));
        Assert.Matches("^[0-9a-f]{64}$", MatchKeys.Sha256Hex("ü"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(102)]
    [InlineData(103)]
    [InlineData(4000)]
    public void A_value_of_any_length_hashes_its_utf8_bytes(int repeats)
    {
        // "ë€" is five UTF-8 bytes: 102 of them fit the 512-byte stack buffer, 103 do not.
        var text = string.Concat(Enumerable.Repeat("ë€", repeats));

        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))),
            MatchKeys.Sha256Hex(text));
    }
}
