namespace Streaming.Operator.Tests;

public sealed class OptionsTests
{
    [Theory]
    [InlineData(null, "operator", null, null)]
    [InlineData("a-long-enough-token", "operator", "/metrics", null)]
    [InlineData("short", "operator", null, "Operator:Token must be at least 16 characters, not 5")]
    [InlineData("                    ", "operator", null, "Operator:Token must be at least 16 characters")]
    [InlineData("a-long-enough-token", "op:erator", null, "Operator:UserName must be a name without ':'")]
    [InlineData("a-long-enough-token", "", null, "Operator:UserName must be a name without ':'")]
    [InlineData("a-long-enough-token", "operator", "metrics", "Operator:PrometheusPath must be a path starting with '/'")]
    public void Settings_that_could_never_work_stop_the_start_with_the_setting_named(string? token, string userName, string? prometheusPath, string? failure)
    {
        var result = new OperatorOptionsValidator().Validate(null, new OperatorOptions { Token = token, UserName = userName, PrometheusPath = prometheusPath });

        if (failure is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed);
            Assert.Contains(failure, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void No_token_means_a_closed_page_not_an_open_one()
    {
        Assert.True(new OperatorOptions().Closed);
        Assert.True(new OperatorOptions { Token = "" }.Closed);
        Assert.True(new OperatorOptionsValidator().Validate(null, new OperatorOptions()).Succeeded);
    }
}
