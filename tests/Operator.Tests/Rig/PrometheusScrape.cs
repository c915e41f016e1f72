using System.Text.RegularExpressions;

namespace Streaming.Operator.Tests.Rig;

/// <summary>The operator's series in a scrape of <c>/metrics</c>: series to value, the labels sorted by name (the exporter's order is its own).</summary>
public static partial class PrometheusScrape
{
    public static Dictionary<string, double> OperatorSeries(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match match in Sample().Matches(text))
        {
            var labels = Label().Matches(match.Groups["labels"].Value).Select(l => $"{l.Groups["name"].Value}=\"{l.Groups["value"].Value}\"")
                .Where(l => !l.StartsWith("otel_scope", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            series[$"{match.Groups["name"].Value}{{{string.Join(",", labels)}}}"] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return series;
    }

    [GeneratedRegex(@"^(?<name>pipeline_operator_[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<name>[a-z_]+)=""(?<value>[^""]*)""")]
    private static partial Regex Label();
}
