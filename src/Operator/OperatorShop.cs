using Streaming.ServiceDefaults.Shops;

namespace Streaming.Operator;

/// <summary>
/// A shop as the operator view knows it: its domain, nothing else. What it shows of a shop's settings (test
/// mode, dry run) it reads off the dispatcher's delivery records, so it is given no token of any kind.
/// </summary>
public sealed class OperatorShop : Shop;
