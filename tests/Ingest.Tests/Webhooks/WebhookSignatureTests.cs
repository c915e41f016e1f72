namespace Streaming.Ingest.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    // Computed outside .NET: printf '%s' '{"id":1,"topic":"test"}' | openssl dgst -sha256 -hmac s3cret -binary | base64
    private const string Body = """{"id":1,"topic":"test"}""";
    private const string OpensslSignature = "TbTDAbvRUnGgnr0f9jjoZ1xfRbHDVd0iSGQl7ltA2a8=";

    [Fact]
    public void The_signature_openssl_computes_matches()
    {
        Assert.True(WebhookSignature.Matches(Encoding.UTF8.GetBytes(Body), OpensslSignature, ["s3cret"]));
        Assert.Equal(OpensslSignature, WebhookSignature.Sign(Encoding.UTF8.GetBytes(Body), "s3cret"));
    }

    [Fact]
    public void During_a_secret_rotation_the_old_and_the_new_secret_both_match()
    {
        Assert.True(WebhookSignature.Matches(Encoding.UTF8.GetBytes(Body), OpensslSignature, ["new-secret", "s3cret"]));
    }

    [Theory]
    [InlineData("""{"id":1,"topic":"test"} """, OpensslSignature)]
    [InlineData(Body, "UbTDAbvRUnGgnr0f9jjoZ1xfRbHDVd0iSGQl7ltA2a8=")]
    [InlineData(Body, "not base64 at all")]
    [InlineData(Body, "dG9vIHNob3J0")]
    [InlineData(Body, "")]
    public void A_changed_body_or_a_wrong_or_malformed_signature_does_not_match(string body, string signature)
    {
        Assert.False(WebhookSignature.Matches(Encoding.UTF8.GetBytes(body), signature, ["s3cret"]));
    }

    [Fact]
    public void No_secret_matches_nothing()
    {
        Assert.False(WebhookSignature.Matches(Encoding.UTF8.GetBytes(Body), OpensslSignature, []));
    }
}
