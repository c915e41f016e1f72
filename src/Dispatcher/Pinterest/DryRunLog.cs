using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Streaming.Records;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Stands in for Pinterest when a shop has no conversion token: appends each request it would have sent
/// to a file, one JSON object per line, so that a trial run shows exactly what would go out. The file
/// holds shoppers' data (IP addresses, user agents), so it is kept within Pinterest:DryRunMaxBytes and
/// the log says only what was written, not the request.
/// </summary>
public sealed partial class DryRunLog(IOptions<PinterestOptions> options, TimeProvider clock, ILogger<DryRunLog> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly Uri _baseUrl = new(options.Value.BaseUrl);

    private readonly long _maxBytes = options.Value.DryRunMaxBytes;

    public string FilePath { get; } = Path.GetFullPath(options.Value.DryRunFile);

    /// <summary>Where the file goes when it is full; the one before is replaced.</summary>
    public string RotatedPath => FilePath + ".1";

    /// <summary>Writes the request the events would go in; what comes back stands in for Pinterest's answer.</summary>
    public async Task<PinterestResponse> WriteAsync(DispatcherShop shop, IReadOnlyList<PinterestEvent> events, bool withMarket, CancellationToken cancellationToken)
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
            writer.WriteRawValue(request.Utf8Body.Span);
            writer.WriteEndObject();
        }

        line.Write("\n"u8);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var current = new FileInfo(FilePath);
            if (current.Exists && current.Length > 0 && current.Length + line.WrittenCount > _maxBytes)
            {
                File.Move(FilePath, RotatedPath, overwrite: true);
            }

            await using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(line.WrittenMemory, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        LogDryRun(request.Shop, events, line.WrittenCount, request.Url.ToString(), FilePath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dry run for {Shop} (no conversion token): would POST {Events} event(s) to {Url}; appended {Bytes} bytes to {File}")]
    private partial void LogDryRun(string shop, int events, int bytes, string url, string file);

    public void Dispose() => _gate.Dispose();
}
