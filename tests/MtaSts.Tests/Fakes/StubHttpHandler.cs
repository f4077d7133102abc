using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace MtaSts.Tests.Fakes;

/// <summary>What a <see cref="StubHttpHandler"/> saw of one request (kept as plain data: the request is disposed afterwards).</summary>
internal sealed record SeenRequest(HttpMethod Method, Uri? Uri, Version Version, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// One stub handler for every HTTP scenario (IdentityModel style): a document, a status, an exception, or a delegate
/// that gets the 1-based call number. Counts calls, so tests can prove retries happened or did not.
/// </summary>
internal sealed class StubHttpHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> _respond;
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private int _calls;

    public StubHttpHandler(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        _respond = respond;
    }

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<SeenRequest> Requests => [.. _seen];

    /// <summary>200 with the body and the Content-Type given (null: no Content-Type header at all).</summary>
    public static StubHttpHandler Document(string body, string? contentType = "text/plain", HttpStatusCode status = HttpStatusCode.OK) =>
        Bytes(Encoding.UTF8.GetBytes(body), contentType, status);

    public static StubHttpHandler Bytes(byte[] body, string? contentType = "text/plain", HttpStatusCode status = HttpStatusCode.OK) =>
        new((_, _, _) => Task.FromResult(Response(status, new ByteArrayContent(body), contentType)));

    public static StubHttpHandler Status(HttpStatusCode status, string body = "", string? contentType = "text/plain") =>
        Bytes(Encoding.UTF8.GetBytes(body), contentType, status);

    public static StubHttpHandler Throws(Func<Exception> exception) =>
        new((_, _, _) => Task.FromException<HttpResponseMessage>(exception()));

    /// <summary>Responds to call n with <paramref name="steps"/>[n-1], repeating the last step after that.</summary>
    public static StubHttpHandler Sequence(params Func<HttpResponseMessage>[] steps) =>
        new((_, call, _) => Task.FromResult(steps[Math.Min(call, steps.Length) - 1]()));

    public static HttpResponseMessage Response(HttpStatusCode status, HttpContent content, string? contentType = "text/plain")
    {
        content.Headers.Remove("Content-Type");
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return new HttpResponseMessage(status) { Content = content };
    }

    public static HttpResponseMessage Text(string body, string? contentType = "text/plain", HttpStatusCode status = HttpStatusCode.OK) =>
        Response(status, new ByteArrayContent(Encoding.UTF8.GetBytes(body)), contentType);

    /// <summary>A client over this handler, as the fetcher's factory would hand out (no client-side timeout).</summary>
    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        _seen.Enqueue(new SeenRequest(request.Method, request.RequestUri, request.Version, headers));
        return _respond(request, call, cancellationToken);
    }
}

/// <summary>
/// A body stream that is slow, endless, or both: it hands out <paramref name="chunk"/> bytes per read, waiting
/// <paramref name="delay"/> (on the given clock) before each, until <paramref name="length"/> bytes (null: forever).
/// Not seekable, so no Content-Length is derived from it. Counts what it handed out.
/// </summary>
internal sealed class ScriptedBodyStream(TimeProvider clock, TimeSpan delay, int chunk, long? length, byte fill = (byte)'a') : Stream
{
    private long _produced;

    public long Produced => Interlocked.Read(ref _produced);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, clock, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        long left = length is long total ? total - _produced : long.MaxValue;
        int count = (int)Math.Min(Math.Min(buffer.Length, chunk), left);
        if (count <= 0)
        {
            return 0;
        }

        buffer.Span[..count].Fill(fill);
        Interlocked.Add(ref _produced, count);
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
