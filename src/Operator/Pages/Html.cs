using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Streaming.Operator.Pages;

/// <summary>
/// Builds a page as text, every value encoded on the way in. Figures carry <c>data-figure</c> (what it is)
/// and <c>data-value</c> (the number behind the formatting), for scripts and tests that read the page.
/// </summary>
public sealed class Html
{
    private readonly StringBuilder _text = new(32 * 1024);

    public Html Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        _text.Append(HtmlEncoder.Default.Encode(text ?? ""));
        return this;
    }

    /// <summary>An element with encoded text and attributes: <c>Tag("td", "3", ("class", "n"))</c>.</summary>
    public Html Tag(string name, string? text, params (string Name, string? Value)[] attributes)
    {
        Open(name, attributes);
        Text(text);
        return Raw($"</{name}>");
    }

    public Html Open(string name, params (string Name, string? Value)[] attributes)
    {
        _text.Append('<').Append(name);
        foreach (var (attribute, value) in attributes)
        {
            if (value is not null)
            {
                _text.Append(' ').Append(attribute).Append("=\"").Append(HtmlEncoder.Default.Encode(value)).Append('"');
            }
        }

        _text.Append('>');
        return this;
    }

    public Html Close(string name) => Raw($"</{name}>");

    /// <summary>A number cell: the formatted text, and the figure it is.</summary>
    public Html Figure(string figure, string text, double? value, string? title = null, string element = "td") =>
        Tag(element, text, ("class", "n"), ("data-figure", figure), ("data-value", value?.ToString("R", CultureInfo.InvariantCulture)), ("title", title));

    public Html Count(string figure, long value) => Figure(figure, Format.Count(value), value);

    public override string ToString() => _text.ToString();
}
