using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace Streaming.Dispatcher.Tests;

/// <summary>
/// The dispatcher as its own process, killed with SIGKILL while Pinterest holds one of its requests, then
/// started again on the same disk. The broker lives in the test process, so it survives the kill.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class CrashTests(KafkaFixture kafka, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Events = 2000;
    private FakePinterest _pinterest = null!;
    private TestTopics _topics = null!;

    public async Task InitializeAsync()
    {
        _pinterest = await FakePinterest.StartAsync();
        _topics = await kafka.CreateTopicsAsync(partitions: 2);
    }

    public async Task DisposeAsync() => await _pinterest.DisposeAsync();

    [Fact]
    public async Task Killed_mid_batch_and_started_again_every_event_is_delivered_and_no_event_id_is_accepted_twice()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashed = false;
        _pinterest.Respond = (call, _) =>
        {
            // The eleventh request is held until the process that sent it is dead.
            if (call == 10 && !Volatile.Read(ref crashed))
            {
                holding.TrySetResult();
                return new FakeAnswer(200, Delay: TimeSpan.FromMinutes(2));
            }

            return 200;
        };
        var serdes = TestRecords.Serdes();
        var records = new List<(string, byte[]?)>();
        for (var i = 0; i < Events; i++)
        {
            var e = TestRecords.Checkout($"crash-{i}");
            records.Add((RecordKeys.Event(e.ShopDomain, e.EventId), await serdes.SerializeAsync(e, _topics.PinterestEvents.Name)));
        }

        await kafka.ProduceAsync(_topics.PinterestEvents.Name, records);
        var environment = Environment();

        using (var first = Start(environment))
        {
            await holding.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Volatile.Write(ref crashed, true);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            output.WriteLine($"Killed the dispatcher (exit code {first.ExitCode}) with {_pinterest.Accepted.Count} event(s) accepted and one request held.");
        }

        Assert.InRange(_pinterest.Accepted.Count, 1, Events - 1);
        using var second = Start(environment);
        try
        {
            await _pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, Enumerable.Range(0, Events).Select(i => $"crash-{i}"), TimeSpan.FromSeconds(90));

            // The standalone dispatcher serves its probes, as a Kubernetes deployment of it needs.
            using var http = new HttpClient { BaseAddress = new Uri(environment["Urls"]!) };
            var ready = await http.GetFromJsonAsync<JsonElement>("/readyz");
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());
            Assert.True(ready.GetProperty("checks").TryGetProperty("pinterest-shops", out _), ready.ToString());
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        Assert.Equal(Events, _pinterest.Accepted.Count);
        Assert.All(_pinterest.Accepted, a => Assert.Equal(1, a.Value));
        Assert.Empty(_pinterest.Violations);
        var duplicates = 0;
        foreach (var record in kafka.ReadAll(_topics.PinterestDeliveries.Name, int.MaxValue, TimeSpan.FromSeconds(1)))
        {
            duplicates += (await serdes.DeserializeAsync<PinterestDelivery>(record.Message.Value, record.Topic)).Status == "duplicate" ? 1 : 0;
        }

        output.WriteLine($"After the restart: {Events} events accepted once each, in {_pinterest.Calls} calls; {duplicates} read again and skipped as already accepted.");
    }

    private Dictionary<string, string?> Environment()
    {
        var settings = TestSettings.For(kafka.BootstrapServers, _topics, _pinterest.BaseUrl);
        settings["Dispatcher:MaxEventsPerRequest"] = "100";
        settings["DOTNET_ENVIRONMENT"] = "Production";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Urls"] = $"http://127.0.0.1:{FreePort()}";
        return settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process Start(Dictionary<string, string?> environment)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Streaming.Dispatcher.exe" : "Streaming.Dispatcher");
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Streaming.Dispatcher.dll")]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            try
            {
                output.WriteLine($"[dispatcher] {line}");
            }
            catch (InvalidOperationException)
            {
                // The test is over; its output is closed.
            }
        }
    }
}
