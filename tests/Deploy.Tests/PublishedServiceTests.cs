using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Streaming.Deploy.Tests;

/// <summary>
/// The published deployables as the images run them (their apphost, the Production environment,
/// ASPNETCORE_URLS, the image's JSON console logs), side by side against the broker this test process hosts: what the compose file
/// does, without Docker. Each process is started once and used for everything: probes, the image's
/// health check, a webhook carried through to a dry-run line, SIGTERM, and the lines they logged.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class PublishedServiceTests(KafkaFixture kafka, ITestOutputHelper output)
{
    /// <summary>Kubernetes' default terminationGracePeriodSeconds: SIGKILL follows after this.</summary>
    private static readonly TimeSpan KubernetesGrace = TimeSpan.FromSeconds(30);
    private const string OrderId = "5820391846711";
    private static readonly string[] JsonLogFields = ["LogLevel", "Category", "Message"];

    [Fact]
    public async Task Published_deployables_answer_their_probes_carry_a_webhook_to_a_dry_run_on_SIGTERM_commit_and_exit_0_and_log_JSON_lines()
    {
        var clock = Stopwatch.StartNew();
        var publications = await Task.WhenAll(Deployables.All.Select(Published.OfAsync));
        output.WriteLine($"Published {string.Join(", ", publications.Select(p => $"{p.Deployable} in {p.Took.TotalSeconds:0.0} s"))} ({Published.Configuration}).");

        var topics = await kafka.CreateTopicsAsync(partitions: 2);
        var state = Directory.CreateTempSubdirectory("deploy-tests-state-").FullName;
        var settings = TestSettings.For(kafka.BootstrapServers, topics, conversionToken: null);
        settings["Enricher:State:Directory"] = Path.Combine(state, "enricher");
        settings["Dispatcher:State:Directory"] = Path.Combine(state, "dispatcher");
        settings["Logging:LogLevel:Default"] = "Information";
        settings["DOTNET_ENVIRONMENT"] = "Production";
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        var urls = Deployables.All.ToDictionary(d => d.Name, _ => new Uri($"http://127.0.0.1:{FreePort()}"));

        var services = publications.Select(p => ServiceProcess.Start(p, Environment(settings, p.Deployable, urls[p.Deployable.Name]))).ToList();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var service in services)
            {
                await WaitReadyAsync(http, service, urls[service.Deployable.Name]);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(urls[service.Deployable.Name], "/healthz"))).StatusCode);
                Assert.True(await ImageHealthCheckAsync(urls[service.Deployable.Name]) == 0, $"The Dockerfile's HEALTHCHECK failed against {service.Deployable}.");
            }

            output.WriteLine($"All answered /healthz and /readyz after {clock.Elapsed.TotalSeconds:0.0} s.");
            var answer = await PostSampleOrderAsync(http, new Uri(urls["ingest"], "/webhooks/shopify"));
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
            var dryRun = await WaitForDryRunAsync(settings["Pinterest:DryRunFile"]!, TimeSpan.FromSeconds(60));
            Assert.True(dryRun is not null, $"No dry-run line for order {OrderId}. Dispatcher:\n{services.Single(s => s.Deployable.Name == "dispatcher").Output}");
            output.WriteLine($"Dry-run line after {clock.Elapsed.TotalSeconds:0.0} s: {dryRun}");

            var stopping = Stopwatch.StartNew();
            foreach (var service in services)
            {
                service.Terminate();
            }

            var exited = await Task.WhenAll(services.Select(s => s.ExitedWithinAsync(KubernetesGrace)));
            output.WriteLine($"Stopped after SIGTERM in {stopping.Elapsed.TotalSeconds:0.0} s.");
            foreach (var (service, inTime) in services.Zip(exited))
            {
                Assert.True(inTime, $"{service.Deployable} still ran {KubernetesGrace.TotalSeconds} s after SIGTERM:\n{service.Output}");
                Assert.True(service.ExitCode == 0, $"{service.Deployable} exited {service.ExitCode} after SIGTERM:\n{service.Output}");
            }

            AssertClosedAndCommitted(services.Single(s => s.Deployable.Name == "enricher"), "enricher stopped reading", settings["Enricher:GroupId"]!, topics.ShopifyWebhooks.Name);
            AssertClosedAndCommitted(services.Single(s => s.Deployable.Name == "dispatcher"), "dispatcher stopped reading", settings["Dispatcher:GroupId"]!, topics.PinterestEvents.Name);
            foreach (var service in services)
            {
                AssertJsonConsole(service);
            }

            output.WriteLine($"The whole test took {clock.Elapsed.TotalSeconds:0.0} s.");
        }
        finally
        {
            foreach (var service in services)
            {
                output.WriteLine($"--- {service.Deployable} (exit {(service.HasExited ? service.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")})\n{service.Output}");
                service.Dispose();
            }
        }
    }

    /// <summary>Its consumer said it closed, and the group's committed offset is past the one record it read.</summary>
    private void AssertClosedAndCommitted(ServiceProcess service, string closedLine, string groupId, string topic)
    {
        Assert.Contains(closedLine, ConsoleText.Flatten(service.Output), StringComparison.Ordinal);
        var record = Assert.Single(kafka.ReadAll(topic, 1, TimeSpan.FromSeconds(10)));
        var committed = Committed(groupId, record.TopicPartition);
        Assert.True(committed == record.Offset.Value + 1, $"{service.Deployable}: group {groupId} committed {committed} on {record.TopicPartition}, not {record.Offset.Value + 1}.");
    }

    private long Committed(string groupId, TopicPartition partition)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = groupId,
            GroupProtocol = GroupProtocol.Consumer,
        }).Build();
        return consumer.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset.Value;
    }

    /// <summary>
    /// With the image's environment, every line a deployable writes is one JSON object with its level,
    /// category and message: what the cluster's log collector reads, a multi-line exception included.
    /// </summary>
    private static void AssertJsonConsole(ServiceProcess service)
    {
        var lines = service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            JsonElement entry;
            try
            {
                using var document = JsonDocument.Parse(line);
                entry = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                entry = default;
            }

            Assert.True(entry.ValueKind == JsonValueKind.Object, $"{service.Deployable} wrote a line that is no JSON object: {line}");
            Assert.All(JsonLogFields, name => Assert.True(entry.TryGetProperty(name, out _), $"{service.Deployable}: no {name} in {line}"));
        }

        Assert.Contains(lines, l => l.Contains("\"Category\":\"Microsoft.Hosting.Lifetime\"", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Environment(Dictionary<string, string?> settings, Deployable deployable, Uri url)
    {
        var environment = settings.Concat(deployable.StartSettings ?? new Dictionary<string, string?>())
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        // The image's logging settings (its paths and port are the test's own).
        foreach (var (name, value) in Dockerfile.Parse().Environment.Where(e => e.Key.StartsWith("Logging__", StringComparison.Ordinal)))
        {
            environment[name] = value;
        }

        environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        return environment;
    }

    private static async Task WaitReadyAsync(HttpClient http, ServiceProcess service, Uri url)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string last = "no answer";
        while (DateTime.UtcNow < until && !service.HasExited)
        {
            try
            {
                using var answer = await http.GetAsync(new Uri(url, "/readyz"));
                last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{service.Deployable} was not ready at {url}readyz ({last}; exited: {service.HasExited}):\n{service.Output}");
    }

    /// <summary>Runs the Dockerfile's HEALTHCHECK command as Docker would, with the container's ASPNETCORE_URLS.</summary>
    private static async Task<int> ImageHealthCheckAsync(Uri url)
    {
        var command = Dockerfile.Parse().HealthCheckCommand;
        var start = new ProcessStartInfo(command[0], command.Skip(1)) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static async Task<HttpResponseMessage> PostSampleOrderAsync(HttpClient http, Uri url)
    {
        var body = await File.ReadAllBytesAsync(Repository.File("samples", "orders-create.json"));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", TestSettings.Shop);
        request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestSettings.Secret), body)));
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        return await http.SendAsync(request);
    }

    private static async Task<string?> WaitForDryRunAsync(string file, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (File.Exists(file))
            {
                foreach (var line in await File.ReadAllLinesAsync(file))
                {
                    if (Carries(line, OrderId))
                    {
                        return line;
                    }
                }
            }

            await Task.Delay(200);
        }

        return null;
    }

    private static bool Carries(string line, string eventId)
    {
        try
        {
            using var request = JsonDocument.Parse(line);
            return request.RootElement.GetProperty("body").GetProperty("data").EnumerateArray().Any(e => e.GetProperty("event_id").GetString() == eventId);
        }
        catch (JsonException)
        {
            // A line still being appended.
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
