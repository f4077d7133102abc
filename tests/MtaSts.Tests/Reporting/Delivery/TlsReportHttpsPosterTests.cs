using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using MtaSts.Reporting;
using static MtaSts.Tests.Reporting.ReportingFixtures;
using static MtaSts.Tests.Reporting.Delivery.TlsReportSenderTests;

namespace MtaSts.Tests.Reporting.Delivery;

/// <summary>One POST of the HTTPS poster through a scripted handler: what counts as delivered, and what is sent.</summary>
public class TlsReportHttpsPosterTests
{
    private static readonly Uri Endpoint = new("https://reports.recipient.example/v1/tlsrpt");

    private static async Task<(TlsReportPostOutcome Outcome, SeenRequest Request)> PostAsync(HttpStatusCode status, byte[]? body = null)
    {
        var handler = new ScriptedHandler(status);
        using var poster = new TlsReportHttpsPoster(handler, TimeSpan.FromSeconds(10), TimeProvider.System);
        var outcome = await poster.PostAsync(Endpoint, body ?? Assert.Single(new TlsReportBuilder(Options()).Build(MixedDay())).ToGzip(), CancellationToken.None);
        return (outcome, Assert.Single(handler.Requests));
    }

    [Theory(DisplayName = "Decision A-19: any 2xx answer to the POST counts as delivered")]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(204)]
    [InlineData(206)]
    public async Task A_19_Any2xx_IsDelivered(int status)
    {
        var (outcome, _) = await PostAsync((HttpStatusCode)status);

        Assert.True(outcome.Delivered);
        Assert.Null(outcome.ReasonCode);
        Assert.Equal(status, outcome.HttpStatusCode);
    }

    [Theory(DisplayName = "Decision A-19: 3xx (never followed), 4xx and 5xx answers are not delivered")]
    [InlineData(300, false)]
    [InlineData(303, false)]
    [InlineData(304, false)]
    [InlineData(400, false)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    public async Task A_19_AnythingOutside2xx_IsNotDelivered(int status, bool transient)
    {
        var (outcome, _) = await PostAsync((HttpStatusCode)status);

        Assert.False(outcome.Delivered);
        Assert.NotNull(outcome.ReasonCode);
        Assert.Equal(status, outcome.HttpStatusCode);
        Assert.Equal(transient, outcome.IsTransient);
    }

    [Fact(DisplayName = "RFC 8460 §6.3: the POST is application/tlsrpt+gzip, a +gzip structured-syntax suffix type, and its body is gzip")]
    public async Task RPT_6_3_ContentType_IsTheGzipSuffixType_AndTheBodyIsGzip()
    {
        var report = Assert.Single(new TlsReportBuilder(Options()).Build(MixedDay()));

        var (outcome, request) = await PostAsync(HttpStatusCode.OK, report.ToGzip());

        Assert.True(outcome.Delivered);
        Assert.Equal("application/tlsrpt+gzip", request.ContentType);
        Assert.Equal(TlsReport.GzipMediaType, request.ContentType);
        var mediaType = MediaTypeHeaderValue.Parse(request.ContentType!);
        Assert.Empty(mediaType.Parameters);
        var slash = mediaType.MediaType!.IndexOf('/', StringComparison.Ordinal);
        Assert.Equal("application", mediaType.MediaType[..slash]);
        var subtype = mediaType.MediaType[(slash + 1)..];
        var plus = subtype.LastIndexOf('+');
        Assert.Equal(("tlsrpt", "gzip"), (subtype[..plus], subtype[(plus + 1)..]));

        // What the suffix promises: RFC 1952 magic, and it inflates to the report's JSON.
        Assert.Equal([0x1f, 0x8b], request.Body[..2]);
        using var inflated = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(request.Body), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(inflated);
        }

        Assert.Equal(report.Json.ToArray(), inflated.ToArray());
    }
}
