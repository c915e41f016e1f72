namespace Streaming.Operator.Pages;

/// <summary>What every page needs besides its figures: where it lives, and how complete the view is.</summary>
public sealed record PageContext(string PathBase, bool RebuildDone, string RebuildState, string Footer)
{
    public string OverviewPath => $"{PathBase}{OperatorApi.Prefix}";

    public string ShopPath(string shop) => $"{PathBase}{OperatorApi.Prefix}/shops/{Uri.EscapeDataString(shop)}";
}
