using System.Globalization;
using System.Text;

namespace Streaming.Enricher.Hashing;

/// <summary>
/// Pinterest's normalization of each <c>user_data</c> match key, applied before SHA-256. Every method
/// returns null rather than a guess when the input cannot be normalized: a wrong hash matches nobody and
/// costs the same as none.
/// </summary>
public static class MatchKeys
{
    /// <summary>Trimmed, NFC, lowercased; null without an @ between two non-empty parts.</summary>
    public static string? Email(string? email)
    {
        var text = Clean(email)?.ToLowerInvariant();
        var at = text?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        return text is not null && at > 0 && at < text.Length - 1 && !text.Any(char.IsWhiteSpace) ? text : null;
    }

    /// <summary>
    /// Digits with the country code, no symbols, no leading zeros. A number written with <c>+</c> or
    /// <c>00</c> carries its country code; a national number gets the calling code of
    /// <paramref name="countryCode"/> after its trunk zeros are dropped; without a known country, null.
    /// </summary>
    public static string? Phone(string? phone, string? countryCode)
    {
        var text = Clean(phone);
        if (text is null)
        {
            return null;
        }

        // "+49 (0)30 …": the bracketed trunk zero is dialled only from within the country.
        var digits = new string([.. text.Replace("(0)", "", StringComparison.Ordinal).Where(char.IsAsciiDigit)]);
        var international = text.StartsWith('+') || digits.StartsWith("00", StringComparison.Ordinal);
        digits = digits.TrimStart('0');
        if (!international)
        {
            if (Country(countryCode) is not { } country || !CallingCodes.TryGetValue(country, out var callingCode))
            {
                return null;
            }

            digits = callingCode + digits;
        }

        // E.164: at most 15 digits; fewer than 8 is no reachable number with its country code.
        return digits.Length is >= 8 and <= 15 ? digits : null;
    }

    /// <summary>First or last name: trimmed, NFC, lowercased.</summary>
    public static string? Name(string? name) => Clean(name)?.ToLowerInvariant();

    /// <summary>Lowercased, without spaces or punctuation (letters of any script and digits stay).</summary>
    public static string? City(string? city) => LettersAndDigits(city);

    /// <summary>The state or province code, lowercased letters (Shopify's <c>province_code</c>: CA, ON, NSW).</summary>
    public static string? State(string? provinceCode)
    {
        var code = LettersAndDigits(provinceCode);
        return code is { Length: >= 2 and <= 3 } && code.All(char.IsAsciiLetter) ? code : null;
    }

    /// <summary>
    /// The postal code by its country's rule: US the first five digits (ZIP+4 dropped); countries with
    /// numeric codes their digits; others (GB, CA, NL, …) letters and digits, lowercased, no spaces.
    /// </summary>
    public static string? Zip(string? zip, string? countryCode)
    {
        var code = LettersAndDigits(zip);
        if (code is null)
        {
            return null;
        }

        var country = Country(countryCode);
        if (country == "us")
        {
            var digits = new string([.. code.TakeWhile(char.IsAsciiDigit)]);
            return digits.Length >= 5 ? digits[..5] : null;
        }

        return country is not null && NumericPostalCodes.Contains(country)
            ? (code.All(char.IsAsciiDigit) ? code : null)
            : code;
    }

    /// <summary>ISO 3166-1 alpha-2, lowercased; null for anything else.</summary>
    public static string? Country(string? countryCode)
    {
        var code = Clean(countryCode)?.ToLowerInvariant();
        return code is { Length: 2 } && code.All(char.IsAsciiLetterLower) ? code : null;
    }

    /// <summary>The customer's id as Shopify gives it (digits), without a <c>gid://</c> prefix.</summary>
    public static string? ExternalId(string? customerId)
    {
        var id = Clean(customerId);
        if (id is null)
        {
            return null;
        }

        var tail = id[(id.LastIndexOf('/') + 1)..];
        return tail.Length > 0 && tail.All(char.IsAsciiDigit) ? tail.TrimStart('0') is { Length: > 0 } t ? t : null : null;
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes.</summary>
    public static string Sha256Hex(string normalized)
    {
        // Match keys are short: their bytes and the hash stay on the stack, only the hex text is allocated.
        var length = Encoding.UTF8.GetByteCount(normalized);
        var bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(normalized, bytes);
        Span<byte> hash = stackalloc byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
        System.Security.Cryptography.SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash);
    }

    // Trimmed and composed (NFC): "é" typed as e + ◌́ and as one letter must hash alike.
    private static string? Clean(string? value)
    {
        var text = value?.Trim();
        return string.IsNullOrEmpty(text) ? null : text.Normalize(NormalizationForm.FormC);
    }

    private static string? LettersAndDigits(string? value)
    {
        var text = Clean(value)?.ToLowerInvariant();
        if (text is null)
        {
            return null;
        }

        var kept = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                kept.Append(rune.ToString());
            }
        }

        return kept.Length > 0 ? kept.ToString() : null;
    }

    private static readonly HashSet<string> NumericPostalCodes =
    [
        "at", "au", "be", "bg", "ch", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hr", "hu", "in", "it", "jp",
        "lt", "lu", "lv", "mx", "no", "nz", "ph", "pl", "pt", "ro", "se", "si", "sk", "th", "tr", "za", "br", "cn", "ru",
    ];

    // International calling codes for the countries whose shops sell the most; a national number from
    // elsewhere is left out rather than guessed.
    private static readonly Dictionary<string, string> CallingCodes = new(StringComparer.Ordinal)
    {
        ["us"] = "1",
        ["ca"] = "1",
        ["gb"] = "44",
        ["ie"] = "353",
        ["au"] = "61",
        ["nz"] = "64",
        ["de"] = "49",
        ["at"] = "43",
        ["ch"] = "41",
        ["fr"] = "33",
        ["be"] = "32",
        ["nl"] = "31",
        ["lu"] = "352",
        ["es"] = "34",
        ["pt"] = "351",
        ["it"] = "39",
        ["dk"] = "45",
        ["se"] = "46",
        ["no"] = "47",
        ["fi"] = "358",
        ["pl"] = "48",
        ["cz"] = "420",
        ["sk"] = "421",
        ["hu"] = "36",
        ["ro"] = "40",
        ["gr"] = "30",
        ["mx"] = "52",
        ["br"] = "55",
        ["jp"] = "81",
        ["kr"] = "82",
        ["in"] = "91",
        ["sg"] = "65",
        ["hk"] = "852",
        ["za"] = "27",
        ["ae"] = "971",
        ["il"] = "972",
        ["tr"] = "90",
        ["ar"] = "54",
        ["cl"] = "56",
        ["co"] = "57",
    };
}
