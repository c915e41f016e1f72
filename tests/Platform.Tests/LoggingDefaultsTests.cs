using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Console;

namespace Streaming.Platform.Tests;

/// <summary>The console lines of every service carry the scopes they were logged in, whichever formatter writes them.</summary>
public sealed class LoggingDefaultsTests
{
    [Fact]
    public void The_json_console_formatter_writes_scopes_unless_the_configuration_says_otherwise()
    {
        Assert.True(FormatterOptions(new() { ["Logging:Console:FormatterName"] = "json" }).IncludeScopes);
        Assert.False(FormatterOptions(new() { ["Logging:Console:FormatterOptions:IncludeScopes"] = "false" }).IncludeScopes);
    }

    private static JsonConsoleFormatterOptions FormatterOptions(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPipelinePlatform();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
    }
}
