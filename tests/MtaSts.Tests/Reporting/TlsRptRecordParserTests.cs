namespace MtaSts.Tests.Reporting;

public class TlsRptRecordParserTests
{
    private static TlsRptRecord AssertValid(TlsRptRecordParseResult result)
    {
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(TlsRptRecordStatus.Found, result.Status);
        Assert.Empty(result.Errors);
        return result.Record!;
    }

    private static void AssertInvalid(TlsRptRecordParseResult result, string code)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Record);
        Assert.Equal(TlsRptRecordStatus.Invalid, result.Status);
        Assert.Contains(result.Errors, e => e.Code == code);
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    private static string[] Uris(TlsRptRecord record) => record.ReportingUris.Select(u => u.OriginalString).ToArray();

    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:reports@example.com", "mailto:reports@example.com")]
    [InlineData("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", "https://reporting.example.com/v1/tlsrpt")]
    public void RPT_3_b_TheRfcExamples_AreValid(string text, string uri)
    {
        var record = AssertValid(TlsRptRecordParser.Parse(text));
        Assert.Equal([uri], Uris(record));
        Assert.Equal("TLSRPTv1", record.Version);
        Assert.Same(text, record.Text);
        Assert.Empty(TlsRptRecordParser.Parse(text).Warnings);
    }

    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;")]
    [InlineData("v=TLSRPTv1 ; rua=mailto:a@example.com ;")]
    [InlineData("v=TLSRPTv1;\trua=mailto:a@example.com;\t")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com ; ")]
    public void RPT_3_f_FieldDelimiters_AllowWhitespaceAndAFinalSemicolon(string text) =>
        Assert.Equal(["mailto:a@example.com"], Uris(AssertValid(TlsRptRecordParser.Parse(text))));

    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.net/tlsrpt")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com , https://r.example.net/tlsrpt")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.com,\thttps://r.example.net/tlsrpt; ")]
    public void RPT_3_c_Rua_HoldsCommaSeparatedUris_InOrder(string text) =>
        Assert.Equal(["mailto:a@example.com", "https://r.example.net/tlsrpt"], Uris(AssertValid(TlsRptRecordParser.Parse(text))));

    [Theory]
    [InlineData("v=TLSRPTv1;rua=ftp://r.example.net/x,mailto:a@example.com", "uri-unsupported-scheme")]
    [InlineData("v=TLSRPTv1;rua=http://r.example.net/x,mailto:a@example.com", "uri-unsupported-scheme")]
    [InlineData("v=TLSRPTv1;rua=mailto:tlsrpt@example.net!10m,mailto:a@example.com", "uri-invalid")]
    [InlineData("v=TLSRPTv1;rua=not a uri,mailto:a@example.com", "uri-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:,mailto:a@example.com", "uri-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:nobody,mailto:a@example.com", "uri-invalid")]
    [InlineData("v=TLSRPTv1;rua=,mailto:a@example.com", "uri-invalid")]
    [InlineData("v=TLSRPTv1;rua=https:,mailto:a@example.com", "uri-invalid")]
    public void R_5_UnusableUris_AreSkippedWithAWarning_TheOthersKept(string text, string code)
    {
        var result = TlsRptRecordParser.Parse(text);
        Assert.Equal(["mailto:a@example.com"], Uris(AssertValid(result)));
        Assert.Contains(result.Warnings, w => w.Code == code);
    }

    [Fact]
    public void RPT_3_d_PercentEncodedCommasAndBangs_StayInTheUri()
    {
        var record = AssertValid(TlsRptRecordParser.Parse("v=TLSRPTv1;rua=mailto:a%2Cb%21c@example.com"));
        Assert.Equal(["mailto:a%2Cb%21c@example.com"], Uris(record));
    }

    [Fact]
    public void RPT_3_c_SchemesAreCaseInsensitive()
    {
        var record = AssertValid(TlsRptRecordParser.Parse("v=TLSRPTv1;rua=MAILTO:a@example.com,HTTPS://r.example.net/"));
        Assert.Equal(2, record.ReportingUris.Count);
    }

    [Fact]
    public void R_5_ARecordWithoutAnyUsableUri_IsInvalid()
    {
        var result = TlsRptRecordParser.Parse("v=TLSRPTv1;rua=http://r.example.net/x");
        AssertInvalid(result, "rua-no-usable-uri");
        Assert.Contains(result.Warnings, w => w.Code == "uri-unsupported-scheme");
    }

    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;ext=value")]
    [InlineData("v=TLSRPTv1;ext_1.x-y=1;rua=mailto:a@example.com")]
    public void RPT_3_f_UnknownFields_AreIgnored(string text)
    {
        var record = AssertValid(TlsRptRecordParser.Parse(text));
        Assert.Single(record.Extensions);
        Assert.Equal(["mailto:a@example.com"], Uris(record));
    }

    [Theory]
    [InlineData("", "record-empty")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@exämple.com", "not-ascii")]
    [InlineData("v=tlsrptv1;rua=mailto:a@example.com", "version-missing")]
    [InlineData(" v=TLSRPTv1;rua=mailto:a@example.com", "version-missing")]
    [InlineData("rua=mailto:a@example.com;v=TLSRPTv1", "version-missing")]
    [InlineData("v=STSv1; id=1", "version-missing")]
    [InlineData("v=TLSRPTv10;rua=mailto:a@example.com", "delimiter-expected")]
    [InlineData("v=TLSRPTv1 rua=mailto:a@example.com", "delimiter-expected")]
    [InlineData("v=TLSRPTv1", "rua-missing")]
    [InlineData("v=TLSRPTv1;", "rua-missing")]
    [InlineData("v=TLSRPTv1;RUA=mailto:a@example.com", "rua-missing")]
    [InlineData("v=TLSRPTv1;ext=1", "rua-missing")]
    [InlineData("v=TLSRPTv1;rua=", "rua-empty")]
    [InlineData("v=TLSRPTv1;;rua=mailto:a@example.com", "field-empty")]
    [InlineData("v=TLSRPTv1;rua", "field-malformed")]
    [InlineData("v=TLSRPTv1;=x;rua=mailto:a@example.com", "field-malformed")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;_x=1", "extension-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;x=", "extension-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;x=a b", "extension-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;x=a=b", "extension-invalid")]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com;abcdefghijklmnopqrstuvwxyz0123456=1", "extension-invalid")]
    public void RPT_3_b_SyntaxErrors_MakeTheRecordInvalid(string text, string code) =>
        AssertInvalid(TlsRptRecordParser.Parse(text), code);

    [Fact]
    public void RPT_3_b_RuaMissing_ExplainsCaseSensitivity()
    {
        var result = TlsRptRecordParser.Parse("v=TLSRPTv1;RUA=mailto:a@example.com");
        Assert.Contains("case-sensitive", result.Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RPT_3_f_DuplicateFields_FirstCounts_WithAWarning()
    {
        var result = TlsRptRecordParser.Parse("v=TLSRPTv1;rua=mailto:first@example.com;rua=mailto:second@example.com;x=1;x=2;v=TLSRPTv1");
        var record = AssertValid(result);
        Assert.Equal(["mailto:first@example.com"], Uris(record));
        Assert.Equal("1", record.Extensions.Single().Value);
        Assert.Equal(3, result.Warnings.Count(w => w.Code == "duplicate-field"));
    }

    [Fact]
    public void TrailingWhitespace_IsAcceptedWithAWarning()
    {
        var result = TlsRptRecordParser.Parse("v=TLSRPTv1;rua=mailto:a@example.com ");
        AssertValid(result);
        Assert.Contains(result.Warnings, w => w.Code == "trailing-whitespace");
    }

    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:a@example.com", true)]
    [InlineData("v=TLSRPTv1 ;rua=mailto:a@example.com", true)]
    [InlineData("v=TLSRPTv1", false)]
    [InlineData("v=TLSRPTv10;rua=x", false)]
    [InlineData("v=STSv1; id=1", false)]
    [InlineData("google-site-verification=abc", false)]
    public void RPT_3_e_CandidateFilter(string text, bool expected) => Assert.Equal(expected, TlsRptRecordParser.IsTlsRptRecord(text));

    [Fact]
    public void RPT_3_e_Select_DropsOtherRecords_AndTakesTheOne()
    {
        var result = TlsRptRecordParser.Select(["v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.com", "v=STSv1; id=1"]);
        Assert.Equal(["mailto:a@example.com"], Uris(AssertValid(result)));
    }

    [Fact]
    public void RPT_3_e_Select_TwoRecords_MeansNoTlsRpt()
    {
        var result = TlsRptRecordParser.Select(["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"]);
        Assert.Equal(TlsRptRecordStatus.MultipleRecords, result.Status);
        Assert.Null(result.Record);
        Assert.Equal("multiple-records", result.Errors.Single().Code);
    }

    [Fact]
    public void RPT_3_e_Select_AnInvalidCandidateCounts_SoTwoCandidatesStillMeanNone()
    {
        var result = TlsRptRecordParser.Select(["v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=mailto:b@example.com"]);
        Assert.Equal(TlsRptRecordStatus.MultipleRecords, result.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("v=spf1 -all")]
    [InlineData("v=TLSRPTv1")]
    public void RPT_3_e_Select_NoCandidate_IsNotFound(string record)
    {
        var result = TlsRptRecordParser.Select(record.Length == 0 ? [] : [record]);
        Assert.Equal(TlsRptRecordStatus.NotFound, result.Status);
        Assert.Equal("record-not-found", result.Errors.Single().Code);
    }

    [Fact]
    public void RPT_3_e_Select_TheOneCandidateInvalid_IsInvalid() =>
        AssertInvalid(TlsRptRecordParser.Select(["v=TLSRPTv1; rua=ftp://x.example/"]), "rua-no-usable-uri");

    [Fact]
    public void RPT_3_a_TheOwnerNamePrefix() => Assert.Equal("_smtp._tls.", TlsRptRecordParser.TxtPrefix);

    [Fact]
    public void Record_RejectsUnusableUris()
    {
        Assert.Throws<ArgumentException>(() => new TlsRptRecord([], "x"));
        Assert.Throws<ArgumentException>(() => new TlsRptRecord([new Uri("http://x.example/")], "x"));
    }
}
