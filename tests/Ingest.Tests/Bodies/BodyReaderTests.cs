using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Streaming.Ingest;
using Streaming.Ingest.Requests;

namespace Streaming.Ingest.Tests.Bodies;

/// <summary>
/// The body reader's three ways in: all of a small body already there, a declared body arriving in parts,
/// and a chunked body of unknown length. Each gives back the bytes as sent and returns its budget.
/// </summary>
public sealed class BodyReaderTests
{
    private static readonly byte[] Sent = Enumerable.Range(0, 40_000).Select(i => (byte)(i % 251)).ToArray();

    private readonly InFlightBudget _budget = new(Options.Create(new IngestOptions()));

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    [InlineData(false, 1)]
    [InlineData(false, 5)]
    public async Task Reads_the_body_as_sent_whether_declared_or_chunked_and_in_one_part_or_several(bool declared, int parts)
    {
        var pipe = new Pipe();
        var request = Request(pipe.Reader, declared ? Sent.Length : null);
        var writing = WriteInPartsAsync(pipe.Writer, parts);

        using var body = await new BodyReader(_budget).ReadAsync(request, 64 * 1024, TimeSpan.FromSeconds(10));
        await writing;

        Assert.Null(body.Failure);
        Assert.Equal(Sent, body.Span.ToArray());
        Assert.Equal(Sent, body.ToArray());
        Assert.True(_budget.Used >= Sent.Length, "the bytes stay reserved until the body is disposed");
        body.Dispose();
        Assert.Equal(0, _budget.Used);
    }

    [Fact]
    public async Task A_declared_body_is_handed_over_once_and_the_reader_keeps_nothing_of_it()
    {
        var request = Request(PipeReader.Create(new MemoryStream(Sent)), Sent.Length);

        using var body = await new BodyReader(_budget).ReadAsync(request, 64 * 1024, TimeSpan.FromSeconds(10));
        var first = body.ToArray();

        Assert.Equal(Sent, first);
        Assert.Equal(0, body.Length);
        Assert.Empty(body.ToArray());
    }

    [Fact]
    public async Task A_body_over_the_limit_fails_as_too_large_in_the_first_read_too()
    {
        var request = Request(PipeReader.Create(new MemoryStream(Sent)), null);

        using var body = await new BodyReader(_budget).ReadAsync(request, Sent.Length - 1, TimeSpan.FromSeconds(10));

        Assert.Equal(BodyFailure.TooLarge, body.Failure);
        Assert.Equal(0, _budget.Used);
    }

    private static HttpRequest Request(PipeReader reader, long? length)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(reader));
        context.Request.ContentLength = length;
        return context.Request;
    }

    private static async Task WriteInPartsAsync(PipeWriter writer, int parts)
    {
        var size = (Sent.Length + parts - 1) / parts;
        for (var offset = 0; offset < Sent.Length; offset += size)
        {
            await writer.WriteAsync(Sent.AsMemory(offset, Math.Min(size, Sent.Length - offset)));
            // Lets the reader take this part before the next arrives.
            await Task.Delay(20);
        }

        await writer.CompleteAsync();
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
