using System.Net;
using System.Text.RegularExpressions;

namespace Streaming.Operator.Tests.Rig;

/// <summary>The figures of a page as it was served: <c>data-figure</c> to the number in <c>data-value</c> (null where the page shows none).</summary>
public static partial class PageFigures
{
    public static Dictionary<string, double?> Read(string html)
    {
        var figures = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (Match match in Cell().Matches(html))
        {
            var value = match.Groups["value"].Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : (double?)null;
            figures.Add(WebUtility.HtmlDecode(match.Groups["figure"].Value), value);
        }

        return figures;
    }

    [GeneratedRegex("""data-figure="(?<figure>[^"]+)"(?: data-value="(?<value>[^"]+)")?""")]
    private static partial Regex Cell();
}
