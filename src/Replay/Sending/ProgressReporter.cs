using System.Diagnostics;
using System.Globalization;

namespace Streaming.Replay.Sending;

/// <summary>
/// Says how a long run is going: records read (of how many), events sent, skipped, the rate and the
/// time left. On a terminal one line is redrawn in place; otherwise (a log file, a CI job, kubectl logs)
/// a plain line is written every interval, so nothing relies on carriage returns.
/// </summary>
public sealed class ProgressReporter : IAsyncDisposable
{
    private readonly ReplayTally _tally;
    private readonly Func<long?> _total;
    private readonly TextWriter _output;
    private readonly bool _terminal;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressReporter(ReplayTally tally, Func<long?> total, TextWriter output, bool terminal, TimeSpan interval)
    {
        _tally = tally;
        _total = total;
        _output = output;
        _terminal = terminal;
        _loop = RunAsync(interval);
    }

    public string Line()
    {
        var read = _tally.Read;
        var seconds = Math.Max(_elapsed.Elapsed.TotalSeconds, 0.001);
        var rate = read / seconds;
        var total = _total();
        var of = total is { } t ? $"/{t}" : "";
        var left = total is { } all && rate > 0 && all > read ? $", about {Format(TimeSpan.FromSeconds((all - read) / rate))} left" : "";
        return string.Create(CultureInfo.InvariantCulture, $"progress: read {read}{of} records, sent {_tally.Sent}, skipped {_tally.Skipped}, {rate:0} records/s{left}");
    }

    private async Task RunAsync(TimeSpan interval)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                Write();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Write()
    {
        if (_terminal)
        {
            _output.Write($"\r{Line()}\u001b[K");
        }
        else
        {
            _output.WriteLine(Line());
        }

        _output.Flush();
    }

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s" : $"{span.Seconds} s";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Write();
        if (_terminal)
        {
            _output.WriteLine();
        }

        _stop.Dispose();
    }
}
