using Streaming.Contracts;

namespace Streaming.Operator.Counting;

/// <summary>
/// Masks what could identify a shopper in a message shown on the page: Pinterest may quote a value it
/// refused (an IP address, an e-mail). The dispatcher masks its messages the same way before writing
/// them; records written before it did are masked here.
/// </summary>
public static class Redaction
{
    public const string Mask = PersonalDataMask.Mask;

    public static string Text(string text) => PersonalDataMask.Apply(text);
}
