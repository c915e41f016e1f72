using System.Text;

namespace Streaming.Topology.Tests;

/// <summary>
/// One replica of a published deployable, as a pod would run it: its own address and state directory
/// that outlive its processes, so a fault can kill it and a restart picks up where it left off.
/// </summary>
public sealed class Replica(string name, Publication publication, Uri url, IReadOnlyDictionary<string, string?> environment) : IDisposable
{
    private readonly List<string> _pastRuns = [];
    private ServiceProcess? _process;
    private bool _stopping;

    public string Name { get; } = name;

    public Deployable Deployable => publication.Deployable;

    public Uri Url { get; } = url;

    public int Starts { get; private set; }

    /// <summary>Exits nobody asked for (a crash), with the process's last lines.</summary>
    public List<string> Crashes { get; } = [];

    /// <summary>Exit codes after SIGTERM that were not 0, or a process that outlived its grace period.</summary>
    public List<string> UncleanStops { get; } = [];

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        _process = ServiceProcess.Start(publication, environment);
        _stopping = false;
        Starts++;
    }

    /// <summary>Polls /readyz until it answers 200; fails the test with the replica's output after <paramref name="within"/>.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        var last = "no answer";
        while (DateTime.UtcNow < until && Running)
        {
            var (status, body) = await ProbeAsync(http);
            last = $"{status} {body}";
            if (status == 200)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{Name} was not ready at {Url}readyz within {within.TotalSeconds} s ({last}; running: {Running}):\n{Tail(Output, 60)}");
    }

    /// <summary>The status of /readyz (0 when nothing answers) and its body.</summary>
    public async Task<(int Status, string Body)> ProbeAsync(HttpClient http)
    {
        try
        {
            using var answer = await http.GetAsync(new Uri(Url, "/readyz"));
            return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.GetType().Name);
        }
    }

    /// <summary>SIGKILL: no shutdown of any kind, as when a node dies or the OOM killer strikes.</summary>
    public void Kill()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running.");
        _stopping = true;
        process.Dispose();
        _pastRuns.Add($"--- {Name} run {Starts}, SIGKILL\n{process.Output}");
        _process = null;
    }

    /// <summary>
    /// SIGTERM and the wait Kubernetes gives before SIGKILL; an exit other than 0, or none in time, is recorded.
    /// Returns how long the process took to exit (the whole grace period when it did not).
    /// </summary>
    public async Task<TimeSpan> StopAsync(TimeSpan grace)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running.");
        _stopping = true;
        var clock = Stopwatch.StartNew();
        process.Terminate();
        var exited = await process.ExitedWithinAsync(grace);
        var took = clock.Elapsed;
        var ending = exited ? $"exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)} after SIGTERM" : $"still running {grace.TotalSeconds} s after SIGTERM";
        if (!exited || process.ExitCode != 0)
        {
            UncleanStops.Add($"{Name} run {Starts}: {ending}\n{Tail(process.Output, 40)}");
        }

        process.Dispose();
        _pastRuns.Add($"--- {Name} run {Starts}, {ending}\n{process.Output}");
        _process = null;
        return took;
    }

    /// <summary>Records an exit that no fault caused; true when the replica had crashed.</summary>
    public bool NoticeCrash()
    {
        if (_process is not { HasExited: true } process || _stopping)
        {
            return false;
        }

        Crashes.Add($"{Name} run {Starts} exited {process.ExitCode.ToString(CultureInfo.InvariantCulture)} unasked:\n{Tail(process.Output, 60)}");
        process.Dispose();
        _pastRuns.Add($"--- {Name} run {Starts}, crashed\n{process.Output}");
        _process = null;
        return true;
    }

    /// <summary>What the running process has written to its console so far; empty when none runs.</summary>
    public string CurrentOutput => _process?.Output ?? "";

    /// <summary>Everything every run of this replica wrote to its console.</summary>
    public string Output
    {
        get
        {
            var text = new StringBuilder();
            foreach (var run in _pastRuns)
            {
                text.AppendLine(run);
            }

            if (_process is { } current)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"--- {Name} run {Starts}, running").AppendLine(current.Output);
            }

            return text.ToString();
        }
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            _process.Dispose();
            _pastRuns.Add($"--- {Name} run {Starts}, ended with the test\n{_process.Output}");
            _process = null;
        }
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}

/// <summary>What a readiness probe of one replica answered, when it changed.</summary>
public sealed record ReadinessChange(TimeSpan At, string Replica, int Status, string Body)
{
    public override string ToString() =>
        $"{At.TotalSeconds,6:0.0} s  {Replica,-12} /readyz {(Status == 0 ? "no answer" : Status.ToString(CultureInfo.InvariantCulture))} {Body}";
}
