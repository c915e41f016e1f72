using System.Net;

namespace Streaming.Dispatcher.Tests.Pinterest;

public sealed class AnswerBodyTests
{
    private const string TooLarge = "The answer was larger than Pinterest:MaxAnswerBytes (1024 bytes) and was not read.";

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(1024)]
    public async Task An_answer_within_the_limit_is_read_whole(int bytes)
    {
        var body = new string('x', bytes);

        Assert.Equal(body, await AnswerBody.ReadAsync(new StringContent(body), 1024, CancellationToken.None));
    }

    [Fact]
    public async Task An_answer_one_byte_over_the_limit_is_not_read_past_it()
    {
        var content = new CountingContent(1025, declareLength: false);

        Assert.Equal(TooLarge, await AnswerBody.ReadAsync(content, 1024, CancellationToken.None));
        Assert.Equal(1025, content.Read);
    }

    [Fact]
    public async Task An_answer_that_declares_more_than_the_limit_is_not_read_at_all()
    {
        var content = new CountingContent(300L * 1024 * 1024, declareLength: true);

        Assert.Equal(TooLarge, await AnswerBody.ReadAsync(content, 1024, CancellationToken.None));
        Assert.Equal(0, content.Read);
    }

    /// <summary>A body of <paramref name="length"/> bytes that counts what was taken of it.</summary>
    private sealed class CountingContent(long length, bool declareLength) : HttpContent
    {
        private readonly CountingStream _stream = new(length);

        public long Read => _stream.Taken;

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(_stream);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => throw new NotSupportedException();

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return declareLength;
        }
    }

    private sealed class CountingStream(long length) : Stream
    {
        public long Taken { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => Taken; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Taken);
            Array.Fill(buffer, (byte)' ', offset, n);
            Taken += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
