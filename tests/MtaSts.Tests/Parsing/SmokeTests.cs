namespace MtaSts.Tests.Parsing;

public class SmokeTests
{
    [Fact]
    public void Policy_Record_Domain_And_Matching_Work_End_To_End()
    {
        var policy = MtaStsPolicyParser.Parse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.example.net\r\nmax_age: 86400\r\n");
        Assert.True(policy.IsValid, string.Join("; ", policy.Errors));
        Assert.Empty(policy.Warnings);
        Assert.Equal(MtaStsMode.Enforce, policy.Policy!.Mode);
        Assert.Equal(86400, policy.Policy.MaxAgeSeconds);
        Assert.True(policy.Policy.MatchesMx("MX1.example.test."));
        Assert.True(policy.Policy.MatchesMx("a.example.net"));
        Assert.False(policy.Policy.MatchesMx("a.b.example.net"));

        var record = MtaStsRecordParser.Parse("v=STSv1; id=20240101T000000");
        Assert.True(record.IsValid, string.Join("; ", record.Errors));
        Assert.Equal("20240101T000000", record.Record!.Id);

        const string normal = "example.test";
        Assert.Same(normal, DomainName.Normalize(normal));
        Assert.Equal("example.test", DomainName.Normalize("Example.TEST."));
        Assert.Equal("xn--bcher-kva.example", DomainName.Normalize("Bücher.example"));
    }
}
