namespace Streaming.Contracts;

/// <summary>
/// Pinterest's <c>event_name</c> values the pipeline writes: the enricher maps to them, the dispatcher sends
/// them, the operator view and dashboards count by them.
/// </summary>
public static class PinterestEventNames
{
    public const string Checkout = "checkout";
    public const string AddToCart = "add_to_cart";
    public const string PageVisit = "page_visit";
    public const string ViewCategory = "view_category";
    public const string Search = "search";
    public const string InitiateCheckout = "initiate_checkout";
    public const string AddPaymentInfo = "add_payment_info";
    public const string Lead = "lead";
    public const string Signup = "signup";
}
