using System.Text;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting;

/// <summary>The stored form of a day's counts: (key, count) pairs that add, and the file document around them.</summary>
public class TlsReportCountsFormatTests
{
    [Fact]
    public void Entries_RoundTrip_EveryPolicyCountAndFailureDetail()
    {
        var day = MixedDay();

        var back = TlsReportCountsFormat.FromEntries(day.Day, day.ReportDomain, TlsReportCountsFormat.ToEntries(day), out var skipped);

        Assert.Equal(0, skipped);
        Assert.NotNull(back);
        Assert.Equal(Describe(day), Describe(back));
    }

    [Fact]
    public void Entries_OfTwoNodes_AddUpToTheSumOfTheirCounts()
    {
        var a = new TlsReportAggregator();
        a.AddSuccess(Day, "recipient.example", StsPolicy(), 5);
        a.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 2);
        var b = new TlsReportAggregator();
        b.AddSuccess(Day, "recipient.example", StsPolicy(), 7);
        b.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 1);
        b.AddSuccess(Day, "recipient.example", TlsaPolicy(), 4);

        var merged = new Dictionary<string, long>(StringComparer.Ordinal);
        TlsReportCountsFormat.Add(merged, TlsReportCountsFormat.ToEntries(a.Snapshot(Day, "recipient.example")!));
        TlsReportCountsFormat.Add(merged, TlsReportCountsFormat.ToEntries(b.Snapshot(Day, "recipient.example")!));
        var counts = TlsReportCountsFormat.FromEntries(Day, "recipient.example", merged, out _)!;

        var sts = counts.Policies.Single(p => p.Policy.Equals(StsPolicy()));
        Assert.Equal(12, sts.SuccessfulSessions);
        Assert.Equal(3, sts.FailedSessions);
        Assert.Equal(3, Assert.Single(sts.Failures).Count);
        Assert.Equal(4, counts.Policies.Single(p => p.Policy.Equals(TlsaPolicy())).SuccessfulSessions);
    }

    [Fact]
    public void Entries_ThatDoNotRead_AreSkippedAndCounted_NeverThrown()
    {
        var good = TlsReportCountsFormat.ToEntries(MixedDay()).ToList();
        var entries = good.Concat(
        [
            new("not json", 3),
            new("[\"x\",{}]", 1),
            new("[\"s\",{\"policy-type\":\"sts\",\"policy-domain\":\"bad domain\",\"policy-string\":[],\"mx-host\":[]}]", 1),
            new("[\"d\",{\"policy-type\":\"sts\",\"policy-domain\":\"a.example\",\"policy-string\":[],\"mx-host\":[]},{\"result-type\":\"no-such-type\"}]", 1),
            new("[\"d\",{\"policy-type\":\"sts\",\"policy-domain\":\"a.example\",\"policy-string\":[],\"mx-host\":[]},{\"result-type\":\"certificate-expired\",\"receiving-ip\":\"not-an-ip\"}]", 1),
            new(good[0].Key, -5),
        ]).ToList();

        var counts = TlsReportCountsFormat.FromEntries(Day, "recipient.example", entries, out var skipped);

        Assert.Equal(6, skipped);
        Assert.Equal(Describe(MixedDay()), Describe(counts!));
    }

    [Fact]
    public void Document_RoundTrips_AndRefusesOtherFormatsWithAReason()
    {
        var day = MixedDay();
        var bytes = TlsReportCountsFormat.Serialize(day.Day, day.ReportDomain, TlsReportCountsFormat.ToEntries(day));

        Assert.True(TlsReportCountsFormat.TryDeserialize(bytes, out var readDay, out var domain, out var entries, out var error));
        Assert.Null(error);
        Assert.Equal(Day, readDay);
        Assert.Equal("recipient.example", domain);
        Assert.Equal(Describe(day), Describe(TlsReportCountsFormat.FromEntries(readDay, domain, entries, out _)!));

        Assert.False(TlsReportCountsFormat.TryDeserialize("{\"format\":\"mta-sts-store\"}"u8, out _, out _, out _, out error));
        Assert.Equal("not a TLS-RPT counts file", error);
        Assert.False(TlsReportCountsFormat.TryDeserialize(Encoding.UTF8.GetBytes("{\"format\":\"mta-sts-tlsrpt-counts\",\"version\":2}"), out _, out _, out _, out error));
        Assert.Equal("another version of the counts format", error);
        Assert.False(TlsReportCountsFormat.TryDeserialize(bytes.AsSpan(0, bytes.Length / 2), out _, out _, out _, out error));
        Assert.Equal("it is not well-formed JSON of the counts format", error);
    }

    /// <summary>Every count of a day in one comparable text.</summary>
    internal static string Describe(TlsReportCounts counts) =>
        string.Join("\n", counts.Policies.Select(p =>
            $"{p.Policy} ok={p.SuccessfulSessions} failed={p.FailedSessions} [{string.Join(", ", p.Failures.Select(f => $"{f.Failure}={f.Count}").Order(StringComparer.Ordinal))}]")
            .Order(StringComparer.Ordinal));
}
