using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Diagnostics;
using MtaSts.Fetching;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Fetching;

public class PolicyFetcherTests
{
    private const string Domain = "example.test";
    private const string PolicyUrl = "https://mta-sts.example.test/.well-known/mta-sts.txt";
    private const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n";
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    // The fake-time pump advances every real millisecond; on a loaded machine the continuation that completes a timed-out
    // fetch can run a few steps late, so upper bounds allow this much fake time beyond the budget (still far below one
    // extra attempt).
    private static readonly TimeSpan PumpSlack = TimeSpan.FromSeconds(1);

    private static PolicyFetcher Fetcher(StubHttpHandler handler, MtaStsOptions? options = null, TimeProvider? time = null, ILogger? logger = null, MtaStsMetrics? metrics = null)
    {
        HttpClient client = handler.CreateClient();
        return new PolicyFetcher(() => client, options ?? new MtaStsOptions(), time ?? TimeProvider.System, logger ?? NullLogger.Instance, metrics ?? new MtaStsMetrics(new TestMeterFactory()));
    }

    private static MtaStsOptions Options(int retries = 2, double totalSeconds = 60, int maxBody = 64 * 1024) => new()
    {
        PolicyFetch = { Retries = retries, Timeout = TimeSpan.FromSeconds(totalSeconds), MaxBodyBytes = maxBody },
    };

    /// <summary>Fetches with a fake clock that is advanced until the fetch completes; returns the result and the fake time used.</summary>
    private static async Task<(PolicyFetchResult Result, TimeSpan Elapsed)> FetchWithFakeTimeAsync(StubHttpHandler handler, MtaStsOptions options, TimeSpan? limit = null)
    {
        var time = new FakeTimeProvider();
        DateTimeOffset start = time.GetUtcNow();
        PolicyFetcher fetcher = Fetcher(handler, options, time);
        PolicyFetchResult result = await FakeClock.RunAsync(time, fetcher.FetchAsync(Domain, CancellationToken.None), Step, limit ?? options.PolicyFetch.Timeout + TimeSpan.FromSeconds(5));
        return (result, time.GetUtcNow() - start);
    }

    [Fact(DisplayName = "RFC 8461 §3.2: the policy is fetched with GET from https://mta-sts.<domain>/.well-known/mta-sts.txt")]
    public async Task STS_3_2_a_GetsWellKnownUrl_ReturnsBody()
    {
        var handler = StubHttpHandler.Document(Policy);

        PolicyFetchResult result = await Fetcher(handler).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(Policy, result.Body);
        Assert.Equal(200, result.HttpStatusCode);
        Assert.Null(result.Evidence);
        SeenRequest request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(new Uri(PolicyUrl), request.Uri);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: no HTTP caching: no conditional or cache headers are sent")]
    public async Task STS_3_3_h_NoConditionalOrCacheHeaders()
    {
        // Also: STS-8.2-b
        var handler = StubHttpHandler.Document(Policy);
        PolicyFetcher fetcher = Fetcher(handler);

        await fetcher.FetchAsync(Domain, CancellationToken.None);
        await fetcher.FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(2, handler.Calls);
        foreach (SeenRequest request in handler.Requests)
        {
            Assert.Equal(["Connection", "User-Agent"], request.Headers.Keys.Order(StringComparer.Ordinal));
            Assert.StartsWith("MtaSts/", request.Headers["User-Agent"]);
            Assert.Equal("close", request.Headers["Connection"]); // no idle connection is kept to a host asked once a day
        }
    }

    [Theory(DisplayName = "RFC 8461 §3.3: any status but 200 is a fetch error, including other 2xx")]
    [InlineData(201)]
    [InlineData(203)]
    [InlineData(204)]
    [InlineData(206)]
    [InlineData(304)]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(429)]
    public async Task STS_3_3_f_Non200Status_IsFetchErrorWithoutRetry(int status)
    {
        // Also: A-8
        var handler = StubHttpHandler.Status((HttpStatusCode)status, Policy);

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 2)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Null(result.Body);
        Assert.Equal(status, result.HttpStatusCode);
        Assert.Equal(status, result.Evidence!.HttpStatusCode);
        Assert.Equal($"http-status-{status}", result.Evidence.ReasonCode);
        Assert.Contains($"HTTP status {status}", result.Evidence.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Theory(DisplayName = "RFC 8461 §3.3: a 3xx redirect is not followed and is a fetch error")]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task STS_3_3_g_RedirectNotFollowed(int status)
    {
        var handler = new StubHttpHandler((_, _, _) =>
        {
            HttpResponseMessage response = StubHttpHandler.Text(string.Empty, "text/html", (HttpStatusCode)status);
            response.Headers.Location = new Uri("https://elsewhere.example.test/policy.txt");
            return Task.FromResult(response);
        });

        PolicyFetchResult result = await Fetcher(handler).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal(status, result.HttpStatusCode);
        Assert.Contains("redirect to https://elsewhere.example.test/policy.txt", result.Evidence!.Message);
        Assert.Contains("not followed", result.Evidence.Message);
        Assert.Equal(1, handler.Calls);
        Assert.All(handler.Requests, r => Assert.Equal(new Uri(PolicyUrl), r.Uri));
    }

    [Theory(DisplayName = "Decision A-7: the media type must be text/plain, compared case-insensitively, parameters ignored")]
    [InlineData("text/plain")]
    [InlineData("TEXT/Plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("text/plain;charset=us-ascii")]
    [InlineData("text/plain; charset=iso-8859-1; format=flowed")]
    public async Task A_7_TextPlain_IsAccepted(string contentType)
    {
        // Also: STS-3.2-b, STS-3.2-c
        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(Policy, contentType)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(Policy, result.Body);
    }

    [Theory(DisplayName = "Decision A-7: another media type is an invalid policy, with the Content-Type as evidence")]
    [InlineData("text/html")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("application/octet-stream")]
    [InlineData("text/plainx")]
    [InlineData("image/png")]
    public async Task A_7_OtherMediaType_IsPolicyInvalid(string contentType)
    {
        // Also: STS-3.2-b
        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(Policy, contentType)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("content-type", result.Evidence!.ReasonCode);
        Assert.Equal(contentType, result.Evidence.ContentType);
        Assert.Equal(200, result.HttpStatusCode);
        Assert.Null(result.Body);
    }

    [Fact(DisplayName = "Decision A-7: a missing Content-Type is an invalid policy")]
    public async Task A_7_MissingContentType_IsPolicyInvalid()
    {
        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(Policy, contentType: null)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("content-type", result.Evidence!.ReasonCode);
        Assert.Null(result.Evidence.ContentType);
        Assert.Contains("no Content-Type", result.Evidence.Message);
    }

    [Fact(DisplayName = "Decision A-7: an unparsable Content-Type is an invalid policy, echoed as sent")]
    public async Task A_7_GarbageContentType_IsPolicyInvalid()
    {
        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(Policy, "text/plain/extra;;")).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("text/plain/extra;;", result.Evidence!.ContentType);
    }

    [Fact(DisplayName = "Decision A-24: a body of exactly the limit is accepted")]
    public async Task A_24_BodyAtLimit_IsAccepted()
    {
        string body = "version: STSv1\n" + new string('x', 1024 - 15);

        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(body), Options(maxBody: 1024)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(1024, Encoding.UTF8.GetByteCount(result.Body!));
    }

    [Fact(DisplayName = "Decision A-24: one byte over the limit is a fetch error")]
    public async Task A_24_BodyOneOverLimit_IsFetchError()
    {
        // Also: STS-3.3-k
        var handler = new StubHttpHandler((_, _, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK,
            new StreamContent(new ScriptedBodyStream(TimeProvider.System, TimeSpan.Zero, 300, 1025)))));

        PolicyFetchResult result = await Fetcher(handler, Options(maxBody: 1024)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("body-too-large", result.Evidence!.ReasonCode);
        Assert.Equal("the body exceeds 1024 bytes", result.Evidence.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "Decision A-24: a Content-Length above the limit fails before any of the body is read")]
    public async Task A_24_DeclaredLengthAboveLimit_FailsWithoutReading()
    {
        var stream = new ScriptedBodyStream(TimeProvider.System, TimeSpan.Zero, 1000, 5000);
        var handler = new StubHttpHandler((_, _, _) =>
        {
            var content = new StreamContent(stream);
            content.Headers.ContentLength = 5000;
            return Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, content));
        });

        PolicyFetchResult result = await Fetcher(handler, Options(maxBody: 1024)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("body-too-large", result.Evidence!.ReasonCode);
        Assert.Contains("5000 bytes (Content-Length)", result.Evidence.Message);
        Assert.Equal(0, stream.Produced);
    }

    [Fact(DisplayName = "Decision A-24: an endless body stops as soon as the limit is crossed, never read further")]
    public async Task A_24_EndlessBody_StopsAtLimit()
    {
        var stream = new ScriptedBodyStream(TimeProvider.System, TimeSpan.Zero, 4096, length: null);
        var handler = new StubHttpHandler((_, _, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, new StreamContent(stream))));

        PolicyFetchResult result = await Fetcher(handler, Options(maxBody: 64 * 1024)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("body-too-large", result.Evidence!.ReasonCode);
        Assert.InRange(stream.Produced, (64 * 1024) + 1, (64 * 1024) + 1);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "Invalid UTF-8 in the body is an invalid policy")]
    public async Task InvalidUtf8_IsPolicyInvalid()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("version: STSv1\nmode: enforce\nmx: "), 0xC3, 0x28, (byte)'\n'];

        PolicyFetchResult result = await Fetcher(StubHttpHandler.Bytes(body)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("invalid-utf8", result.Evidence!.ReasonCode);
        Assert.Contains("not valid UTF-8", result.Evidence.Message);
    }

    [Fact(DisplayName = "Decision A-16: a UTF-8 BOM is kept as U+FEFF for the parser to judge")]
    public async Task A_16_Bom_IsKeptForTheParser()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Policy)];

        PolicyFetchResult result = await Fetcher(StubHttpHandler.Bytes(body)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal('\uFEFF' + Policy, result.Body);
    }

    [Fact(DisplayName = "Non-ASCII UTF-8 (extension values) decodes")]
    public async Task Utf8Body_Decodes()
    {
        string body = Policy + "x_note: grüße\n";

        PolicyFetchResult result = await Fetcher(StubHttpHandler.Document(body, "text/plain; charset=utf-8")).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(body, result.Body);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: 5xx is transient: retried, and a later 200 wins")]
    public async Task STS_3_3_k_ServerErrorThenSuccess_IsRetried()
    {
        var handler = StubHttpHandler.Sequence(
            () => StubHttpHandler.Text("busy", status: HttpStatusCode.ServiceUnavailable),
            () => StubHttpHandler.Text("oops", status: HttpStatusCode.BadGateway),
            () => StubHttpHandler.Text(Policy));

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 2));

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(Policy, result.Body);
        Assert.Equal(3, handler.Calls);
    }

    [Fact(DisplayName = "Retries are bounded by PolicyFetchRetries; the last 5xx is the result")]
    public async Task PersistentServerError_StopsAfterRetries()
    {
        var handler = StubHttpHandler.Status(HttpStatusCode.InternalServerError);

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 3));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal(500, result.HttpStatusCode);
        Assert.Equal("http-status-500", result.Evidence!.ReasonCode);
        Assert.Equal(4, handler.Calls);
    }

    [Fact(DisplayName = "PolicyFetchRetries = 0 means exactly one attempt")]
    public async Task ZeroRetries_OneAttempt()
    {
        var handler = StubHttpHandler.Status(HttpStatusCode.ServiceUnavailable);

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 0)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(503, result.HttpStatusCode);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a 404 is never retried")]
    public async Task STS_3_3_f_NotFound_IsNotRetried()
    {
        var handler = StubHttpHandler.Status(HttpStatusCode.NotFound);

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 5)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal("http-status-404", result.Evidence!.ReasonCode);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "A refused connection is transient: retried, then a success wins")]
    public async Task ConnectionRefusedThenSuccess_IsRetried()
    {
        var handler = new StubHttpHandler((_, call, _) => call == 1
            ? Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)))
            : Task.FromResult(StubHttpHandler.Text(Policy)));

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 2));

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(2, handler.Calls);
    }

    [Fact(DisplayName = "A connection refused on every attempt is a fetch error 'connection-refused'")]
    public async Task ConnectionRefused_IsFetchError()
    {
        var handler = StubHttpHandler.Throws(() => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (mta-sts.example.test:443)", new SocketException((int)SocketError.ConnectionRefused)));

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 2));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("connection-refused", result.Evidence!.ReasonCode);
        Assert.Null(result.HttpStatusCode);
        Assert.Equal(3, handler.Calls);
    }

    [Fact(DisplayName = "A reset connection while reading the body is transient and retried")]
    public async Task ConnectionResetDuringBody_IsRetried()
    {
        var handler = new StubHttpHandler((_, call, _) => Task.FromResult(call == 1
            ? StubHttpHandler.Response(HttpStatusCode.OK, new StreamContent(new FailingStream(new IOException("reset", new SocketException((int)SocketError.ConnectionReset)))))
            : StubHttpHandler.Text(Policy)));

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 1));

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(2, handler.Calls);
    }

    [Fact(DisplayName = "A failed lookup of the policy host is a fetch error 'name-resolution', not retried")]
    public async Task NameResolutionFailure_IsFetchErrorWithoutRetry()
    {
        var handler = StubHttpHandler.Throws(() => new HttpRequestException(HttpRequestError.ConnectionError, "wrapped",
            new HttpRequestException(HttpRequestError.NameResolutionError, "DNS lookup of mta-sts.example.test failed: ServerFailure")));

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 2)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("name-resolution", result.Evidence!.ReasonCode);
        Assert.Contains("ServerFailure", result.Evidence.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a rejected certificate is sts-webpki-invalid with the precise problem, never retried")]
    public async Task STS_3_3_a_CertificateRejected_IsWebPkiInvalidWithProblem()
    {
        // Also: STS-3.3-c
        const string Problem = "name mismatch: certificate SAN [a.example.test] does not cover mta-sts.example.test";
        var handler = StubHttpHandler.Throws(() => new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.",
            new PolicyHostCertificateException(Problem, PolicyHostCertificateValidator.NameMismatch)));

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 2)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal(Problem, result.Evidence!.CertificateProblem);
        Assert.Equal("certificate-name-mismatch", result.Evidence.ReasonCode);
        Assert.Contains(Problem, result.Evidence.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "RFC 8461 §7.2: a failed TLS handshake (e.g. no TLS 1.2+) is sts-webpki-invalid 'tls-handshake', never retried")]
    public async Task STS_7_2_a_HandshakeFailure_IsWebPkiInvalid()
    {
        var handler = StubHttpHandler.Throws(() => new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("Authentication failed because the remote party sent a TLS alert: 'ProtocolVersion'.")));

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 2)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal("tls-handshake", result.Evidence!.ReasonCode);
        Assert.Contains("ProtocolVersion", result.Evidence.CertificateProblem);
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a server that never answers ends at the total timeout, retries included")]
    public async Task STS_3_3_k_HangingServer_EndsWithinBudget()
    {
        var handler = new StubHttpHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        });
        MtaStsOptions options = Options(retries: 2, totalSeconds: 6);

        (PolicyFetchResult result, TimeSpan elapsed) = await FetchWithFakeTimeAsync(handler, options);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("timeout", result.Evidence!.ReasonCode);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(5), options.PolicyFetch.Timeout + PumpSlack);
        // Three 2-second attempts fit in the 6-second budget; on a loaded machine the fake-time pump can run past the
        // start of the third before the retry is scheduled, so two is allowed, more than three never.
        Assert.InRange(handler.Calls, 2, 3);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a slow body ends at the timeout, never hangs")]
    public async Task STS_3_3_k_SlowBody_EndsWithinBudget()
    {
        // One byte every 10 seconds: each attempt times out while reading.
        ScriptedBodyStream? last = null;
        var time = new FakeTimeProvider();
        var handler = new StubHttpHandler((_, _, _) =>
        {
            last = new ScriptedBodyStream(time, TimeSpan.FromSeconds(10), 1, 500);
            return Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, new StreamContent(last)));
        });
        MtaStsOptions options = Options(retries: 1, totalSeconds: 5);
        DateTimeOffset start = time.GetUtcNow();

        PolicyFetchResult result = await FakeClock.RunAsync(time, Fetcher(handler, options, time).FetchAsync(Domain, CancellationToken.None), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("timeout", result.Evidence!.ReasonCode);
        Assert.InRange(time.GetUtcNow() - start, TimeSpan.Zero, options.PolicyFetch.Timeout + PumpSlack);
        Assert.InRange(last!.Produced, 0, 1);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: an endless trickle ends at the timeout without buffering past the limit")]
    public async Task STS_3_3_k_EndlessTrickle_EndsAtTimeoutOrLimit()
    {
        var time = new FakeTimeProvider();
        var stream = new ScriptedBodyStream(time, TimeSpan.FromMilliseconds(100), 10, null);
        var handler = new StubHttpHandler((_, _, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.OK, new StreamContent(stream))));
        MtaStsOptions options = Options(retries: 0, totalSeconds: 3, maxBody: 1024);
        DateTimeOffset start = time.GetUtcNow();

        PolicyFetchResult result = await FakeClock.RunAsync(time, Fetcher(handler, options, time).FetchAsync(Domain, CancellationToken.None), Step, TimeSpan.FromSeconds(30));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Contains(result.Evidence!.ReasonCode, new[] { "timeout", "body-too-large" });
        Assert.InRange(time.GetUtcNow() - start, TimeSpan.Zero, options.PolicyFetch.Timeout + PumpSlack);
        Assert.InRange(stream.Produced, 0, 1025);
    }

    [Fact(DisplayName = "With the real clock, a hanging server ends at a 1-second budget")]
    public async Task RealClock_HangingServer_EndsAtBudget()
    {
        var handler = new StubHttpHandler(async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        });
        var watch = Stopwatch.StartNew();

        PolicyFetchResult result = await Fetcher(handler, Options(retries: 2, totalSeconds: 1)).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal("timeout", result.Evidence!.ReasonCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        Assert.Equal(1, handler.Calls); // the 1-second floor per attempt leaves no room for a retry
    }

    [Fact(DisplayName = "The handler's connect timeout (an OperationCanceledException around a TimeoutException) is a retried 'timeout'")]
    public async Task ConnectTimeout_IsRetriedTimeout()
    {
        var handler = StubHttpHandler.Throws(() => new TaskCanceledException("The operation was canceled.", new TimeoutException("A connection could not be established within the configured ConnectTimeout.")));

        (PolicyFetchResult result, _) = await FetchWithFakeTimeAsync(handler, Options(retries: 1));

        Assert.Equal("timeout", result.Evidence!.ReasonCode);
        Assert.Contains("ConnectTimeout", result.Evidence.Message);
        Assert.Equal(2, handler.Calls);
    }

    [Fact(DisplayName = "Only the caller's cancellation propagates as OperationCanceledException")]
    public async Task CallerCancellation_Propagates()
    {
        using var cts = new CancellationTokenSource();
        var handler = new StubHttpHandler(async (_, _, ct) =>
        {
            cts.Cancel();
            await Task.Delay(Timeout.Infinite, ct);
            throw new UnreachableException();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Fetcher(handler).FetchAsync(Domain, cts.Token));
        Assert.Equal(1, handler.Calls);
    }

    [Fact(DisplayName = "An unexpected exception becomes a fetch error, never escapes")]
    public async Task UnexpectedException_IsFetchError()
    {
        var handler = StubHttpHandler.Throws(() => new InvalidOperationException("boom"));

        PolicyFetchResult result = await Fetcher(handler).FetchAsync(Domain, CancellationToken.None);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("fetch-error", result.Evidence!.ReasonCode);
        Assert.Contains("boom", result.Evidence.Message);
    }

    [Theory]
    [InlineData(60, 2, 20)]
    [InlineData(60, 0, 60)]
    [InlineData(2, 2, 1)]
    [InlineData(0.5, 2, 0.5)]
    public void AttemptTimeout_IsShareOfBudget_AtLeastOneSecond_AtMostBudget(double total, int retries, double expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), PolicyFetchPipeline.AttemptTimeout(TimeSpan.FromSeconds(total), retries));
    }

    [Fact(DisplayName = "Fetch metrics carry the result and status, no domain")]
    public async Task Metrics_RecordResultAndStatus()
    {
        using var meterFactory = new TestMeterFactory();
        using var metrics = new MtaStsMetrics(meterFactory);
        using var collector = new MetricCollector<long>(meterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.PolicyFetches);

        await Fetcher(StubHttpHandler.Document(Policy), metrics: metrics).FetchAsync(Domain, CancellationToken.None);
        await Fetcher(StubHttpHandler.Status(HttpStatusCode.NotFound), metrics: metrics).FetchAsync(Domain, CancellationToken.None);

        IReadOnlyList<CollectedMeasurement<long>> measurements = collector.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.Equal("success", measurements[0].Tags["mtasts.fetch.result"]);
        Assert.Equal(200, measurements[0].Tags["http.response.status_code"]);
        Assert.Equal("sts-policy-fetch-error", measurements[1].Tags["mtasts.fetch.result"]);
        Assert.Equal(404, measurements[1].Tags["http.response.status_code"]);
        Assert.DoesNotContain(measurements.SelectMany(m => m.Tags.Values), v => v is string s && s.Contains(Domain, StringComparison.Ordinal));
    }

    [Fact(DisplayName = "The fetch activity is a Client activity with host, status and error type")]
    public async Task Activity_CarriesHostStatusAndError()
    {
        string domain = $"activity-{Guid.NewGuid():N}.test";
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((activity.GetTagItem("server.address") as string) == "mta-sts." + domain)
                {
                    lock (stopped)
                    {
                        stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await Fetcher(StubHttpHandler.Document(Policy, "text/html")).FetchAsync(domain, CancellationToken.None);

        Activity activity = Assert.Single(stopped);
        Assert.Equal(MtaStsTelemetry.FetchActivityName, activity.OperationName);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal(200, activity.GetTagItem("http.response.status_code"));
        Assert.Equal("sts-policy-invalid", activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact(DisplayName = "The policy body is never logged at Information or above")]
    public async Task Logging_NoBodyAtInformationOrAbove()
    {
        const string Marker = "mx: secret-marker.example.test";
        var logger = new FakeLogger();

        await Fetcher(StubHttpHandler.Document(Policy + Marker + "\n"), logger: logger).FetchAsync(Domain, CancellationToken.None);

        IReadOnlyList<FakeLogRecord> records = logger.Collector.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Information && r.Id.Id == 201);
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Information && r.Message.Contains("secret-marker", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Trace && r.Message.Contains("secret-marker", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "A failed fetch is logged as a warning with the reason code")]
    public async Task Logging_FailureIsWarning()
    {
        var logger = new FakeLogger();

        await Fetcher(StubHttpHandler.Status(HttpStatusCode.NotFound), logger: logger).FetchAsync(Domain, CancellationToken.None);

        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(202, record.Id.Id);
        Assert.Contains("http-status-404", record.Message);
        Assert.Contains(Domain, record.Message);
    }

    /// <summary>A body stream whose first read fails.</summary>
    private sealed class FailingStream(Exception exception) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(exception);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException<int>(exception);
    }
}
