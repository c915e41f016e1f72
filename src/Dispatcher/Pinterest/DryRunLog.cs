using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Streaming.ServiceDefaults.Shops;
using Streaming.Records;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Stands in for Pinterest when a shop has no conversion token: appends each request it would have sent
/// to a file, one JSON object per line, so that a trial run shows exactly what would go out.
/// </summary>
public sealed partial class DryRunLog(IOptions<PinterestOptions> options, TimeProvider clock, ILogger<DryRunLog> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly Uri _baseUrl = new(options.Value.BaseUrl);

    public string FilePath { get; } = Path.GetFullPath(options.Value.DryRunFile);

    /// <summary>Writes the request the events would go in; what comes back stands in for Pinterest's answer.</summary>
    public async Task<PinterestResponse> WriteAsync(ShopOptions shop, IReadOnlyList<PinterestEvent> events, bool withMarket, CancellationToken cancellationToken)
    {
        await AppendAsync(ConversionRequest.For(shop, events, _baseUrl, withMarket), events.Count, cancellationToken);
        return new PinterestResponse.DryRun();
    }

    private async Task AppendAsync(ConversionRequest request, int events, CancellationToken cancellationToken)
    {
        var line = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(line))
        {
            writer.WriteStartObject();
            writer.WriteString("time", clock.GetUtcNow());
            writer.WriteString("shop", request.Shop);
            writer.WriteString("method", "POST");
            writer.WriteString("url", request.Url.ToString());
            writer.WritePropertyName("body");
            writer.WriteRawValue(request.Body);
            writer.WriteEndObject();
        }

        line.Write("\n"u8);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(line.WrittenMemory, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        LogDryRun(request.Shop, events, request.Url.ToString(), FilePath, request.Body);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dry run for {Shop} (no conversion token): would POST {Events} event(s) to {Url}; appended to {File}: {Body}")]
    private partial void LogDryRun(string shop, int events, string url, string file, string body);

    public void Dispose() => _gate.Dispose();
}
