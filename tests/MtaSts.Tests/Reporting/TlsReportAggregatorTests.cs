using System.Net;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting;

public class TlsReportAggregatorTests
{
    [Fact]
    public void EqualKeys_MergeIntoOneCount()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 2);
        aggregator.AddSuccess(Day, "Recipient.Example.", StsPolicy());
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired());
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 2);
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(host: 2));

        var counts = aggregator.Snapshot(Day, "recipient.example")!;
        var policy = Assert.Single(counts.Policies);
        Assert.Equal(3, policy.SuccessfulSessions);
        Assert.Equal(4, policy.FailedSessions);
        Assert.Equal([3L, 1L], policy.Failures.Select(f => f.Count));
        Assert.Equal(CertificateExpired(), policy.Failures[0].Failure);
    }

    [Fact]
    public void RPT_4_c_ASessionWithSeveralFailures_CountsOnceAsASession_AndInEachFailure()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddFailures(Day, "recipient.example", StsPolicy(), [new TlsRptFailure(TlsRptResultType.CertificateExpired), new TlsRptFailure(TlsRptResultType.CertificateHostMismatch)]);
        var policy = aggregator.Snapshot(Day, "recipient.example")!.Policies.Single();
        Assert.Equal(1, policy.FailedSessions);
        Assert.Equal(2, policy.Failures.Count);
        Assert.All(policy.Failures, f => Assert.Equal(1, f.Count));
    }

    [Fact]
    public void R_1_DaysAndDomains_AreSeparateReports()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy());
        aggregator.AddSuccess(Day.AddDays(1), "recipient.example", StsPolicy());
        aggregator.AddSuccess(Day, "other.example", TlsRptPolicy.NoPolicyFound("other.example"));
        var all = aggregator.Snapshot();
        Assert.Equal([(Day, "other.example"), (Day, "recipient.example"), (Day.AddDays(1), "recipient.example")], all.Select(c => (c.Day, c.ReportDomain)));
        Assert.Null(aggregator.Snapshot(Day.AddDays(2), "recipient.example"));
    }

    [Fact]
    public void R_1_DayOf_IsTheUtcDate()
    {
        Assert.Equal(new DateOnly(2026, 3, 2), TlsReportAggregator.DayOf(new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.FromHours(-2))));
        Assert.Equal(new DateOnly(2026, 2, 28), TlsReportAggregator.DayOf(new DateTimeOffset(2026, 3, 1, 0, 30, 0, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void R_2_SessionsCountUnderThePolicyThatDecidedTheirHost()
    {
        // With RequireMtaStsWithDane the recorder adds the session under both policies.
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy());
        aggregator.AddSuccess(Day, "recipient.example", TlsaPolicy());
        var counts = aggregator.Snapshot(Day, "recipient.example")!;
        Assert.Equal([TlsRptPolicyType.Sts, TlsRptPolicyType.Tlsa], counts.Policies.Select(p => p.Policy.PolicyType));
        Assert.Equal(2, counts.SuccessfulSessions);
    }

    [Fact]
    public void Drain_HandsOutEverything_AndStartsAfresh()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 5);
        var drained = Assert.Single(aggregator.Drain());
        Assert.Equal(5, drained.SuccessfulSessions);
        Assert.Empty(aggregator.Snapshot());
        Assert.Empty(aggregator.Drain());
    }

    [Fact]
    public void Merge_SumsEveryCount()
    {
        var first = new TlsReportAggregator();
        first.AddSuccess(Day, "recipient.example", StsPolicy(), 5);
        first.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 2);
        var second = new TlsReportAggregator();
        second.AddSuccess(Day, "recipient.example", StsPolicy(), 1);
        second.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 3);
        second.Merge(first.Snapshot(Day, "recipient.example")!);
        var policy = second.Snapshot(Day, "recipient.example")!.Policies.Single();
        Assert.Equal(6, policy.SuccessfulSessions);
        Assert.Equal(5, policy.FailedSessions);
        Assert.Equal(5, policy.Failures.Single().Count);
    }

    [Fact]
    public void ConcurrentAdds_LoseNothing()
    {
        var aggregator = new TlsReportAggregator();
        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 5000; i++)
            {
                if (i % 2 == 0)
                {
                    aggregator.AddSuccess(Day, "recipient.example", StsPolicy());
                }
                else
                {
                    aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(i % 3));
                }
            }
        });
        var policy = aggregator.Snapshot(Day, "recipient.example")!.Policies.Single();
        Assert.Equal(20000, policy.SuccessfulSessions);
        Assert.Equal(20000, policy.FailedSessions);
        Assert.Equal(20000, policy.Failures.Sum(f => f.Count));
    }

    [Fact]
    public void BadInput_Throws()
    {
        var aggregator = new TlsReportAggregator();
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 0));
        Assert.Throws<ArgumentException>(() => aggregator.AddSuccess(Day, "not a domain", StsPolicy()));
        Assert.Throws<ArgumentException>(() => aggregator.AddFailures(Day, "recipient.example", StsPolicy(), []));
    }
}
