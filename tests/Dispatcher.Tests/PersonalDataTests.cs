namespace Streaming.Dispatcher.Tests;

/// <summary>
/// A shopper's data that Pinterest quotes back, or that a dry run holds, reaches no log line, dead letter or
/// delivery record: Pinterest's messages are masked before they are written anywhere.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class PersonalDataTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string Ip = "203.0.113.9";
    private const string Email = "ada.lovelace@example.com";
    private const string UserAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Ada's browser";
    private readonly DispatcherRig _rig = new(kafka);

    public Task InitializeAsync() => _rig.InitializeAsync();

    public Task DisposeAsync() => _rig.DisposeAsync();

    [Fact]
    public async Task An_IP_address_and_an_e_mail_Pinterest_quotes_in_a_400_are_in_no_log_line_dead_letter_or_delivery_record()
    {
        _rig.Pinterest.Respond = (_, request) => request.EventIds.Contains("bad")
            ? (400, $$"""{"code":4196,"message":"Invalid client_ip_address '{{Ip}}' for em '{{Email}}'"}""")
            : 200;
        var bad = TestRecords.Checkout("bad");
        bad.UserData.ClientIpAddress = Ip;
        var host = await _rig.StartAsync();

        await _rig.ProduceAsync(TestRecords.Checkout("good-1"), bad, TestRecords.Checkout("good-2"));

        await _rig.Pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, ["good-1", "good-2"], DispatcherRig.Patience);
        var letter = Assert.Single(await _rig.DeadLettersAsync(1));
        var delivery = Assert.Single(await _rig.DeliveriesAsync(3), d => d.EventId == "bad");
        // The reason can still be read.
        Assert.Equal("Invalid client_ip_address '[redacted]' for em '[redacted]'", letter.Error);
        Assert.Equal(letter.Error, delivery.Message);
        var logged = host.Logs.Lines.Where(l => l.Message.Contains("client_ip_address", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(logged);
        foreach (var quoted in new[] { Ip, Email })
        {
            Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(quoted, StringComparison.Ordinal));
            Assert.DoesNotContain(quoted, letter.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(quoted, delivery.Message ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_dry_run_logs_what_it_wrote_not_the_request_which_only_its_file_holds()
    {
        var e = TestRecords.Checkout("dry");
        e.UserData.ClientIpAddress = Ip;
        e.UserData.ClientUserAgent = UserAgent;
        var host = await _rig.StartAsync(new() { ["Shops:0:Pinterest:ConversionToken"] = "" });

        await _rig.ProduceAsync(e);

        Assert.Equal("dry_run", Assert.Single(await _rig.DeliveriesAsync(1)).Status);
        var line = Assert.Single(host.Logs.Lines, l => l.Message.StartsWith("Dry run for", StringComparison.Ordinal));
        Assert.Contains("1 event(s)", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(Ip, StringComparison.Ordinal) || l.Message.Contains("Ada's browser", StringComparison.Ordinal));
        var file = await File.ReadAllTextAsync(host.Service<Streaming.Dispatcher.Pinterest.DryRunLog>().FilePath, Encoding.UTF8);
        Assert.Contains(Ip, file, StringComparison.Ordinal);
    }
}
