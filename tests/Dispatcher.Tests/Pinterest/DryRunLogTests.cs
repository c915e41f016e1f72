using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Streaming.Dispatcher.Tests.Pinterest;

public sealed class DryRunLogTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"dry-run-{Guid.NewGuid():N}.jsonl");

    private static readonly DispatcherShop Shop = new()
    {
        Domain = TestSettings.Shop,
        Pinterest = new DispatcherShopPinterest { AdAccountId = TestSettings.AdAccountId },
    };

    [Fact]
    public async Task The_file_is_rotated_to_one_older_file_before_it_passes_its_limit()
    {
        const long limit = 2048;
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        using var log = new DryRunLog(
            Options.Create(new PinterestOptions { DryRunFile = _file, DryRunMaxBytes = limit }), TimeProvider.System, loggers.CreateLogger<DryRunLog>());

        for (var i = 0; i < 12; i++)
        {
            await log.WriteAsync(Shop, [TestRecords.Checkout($"dry-{i}")], withMarket: true, CancellationToken.None);
        }

        var current = await File.ReadAllLinesAsync(log.FilePath);
        var older = await File.ReadAllLinesAsync(log.RotatedPath);
        Assert.InRange(new FileInfo(log.FilePath).Length, 1, limit);
        Assert.InRange(new FileInfo(log.RotatedPath).Length, 1, limit);
        // The newest requests are kept, each whole, in order.
        Assert.Contains("\"dry-11\"", current[^1], StringComparison.Ordinal);
        Assert.Equal(
            Enumerable.Range(12 - older.Length - current.Length, older.Length + current.Length).Select(i => $"dry-{i}"),
            older.Concat(current).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("body").GetProperty("data")[0].GetProperty("event_id").GetString()));
        Assert.Equal(12, logs.Lines.Count(l => l.Level == LogLevel.Information));
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(TestRecords.EmailHash, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".1");
    }
}
