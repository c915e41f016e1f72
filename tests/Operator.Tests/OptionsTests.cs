namespace Streaming.Operator.Tests;

public sealed class OptionsTests
{
    [Theory]
    [InlineData(null, "operator", null)]
    [InlineData("a-long-enough-token", "operator", null)]
    [InlineData("short", "operator", "Operator:Token must be at least 16 characters, not 5")]
    [InlineData("                    ", "operator", "Operator:Token must be at least 16 characters")]
    [InlineData("a-long-enough-token", "op:erator", "Operator:UserName must be a name without ':'")]
    [InlineData("a-long-enough-token", "", "Operator:UserName must be a name without ':'")]
    public void Settings_that_could_never_work_stop_the_start_with_the_setting_named(string? token, string userName, string? failure)
    {
        var result = new OperatorOptionsValidator().Validate(null, new OperatorOptions { Token = token, UserName = userName });

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
