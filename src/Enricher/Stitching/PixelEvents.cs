namespace Streaming.Enricher.Stitching;

/// <summary>
/// The Pinterest events a storefront pixel reports to the Tag and a server event later stands for: the
/// session keeps the pixel's event id under this name, the mapper of the server event takes it from there.
/// </summary>
public static class PixelEvents
{
    public const string AddToCart = "add_to_cart";
}
