namespace MtaSts.Tests.Inspection;

public sealed class InspectedCertificateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 18, 0, 0, TimeSpan.Zero);

    private static InspectedCertificate ExpiringAt(DateTimeOffset notAfter) =>
        new("CN=mta-sts.example.test", "CN=Test CA", ["mta-sts.example.test"], Now.AddDays(-90), notAfter, ["CN=mta-sts.example.test"]);

    [Theory]
    [InlineData(3.9, 3)]
    [InlineData(1.0, 1)]
    [InlineData(0.5, 0)]
    [InlineData(-0.5, 0)]
    [InlineData(-1.0005, -1)] // expired a day and a minute ago: one whole day, not two
    [InlineData(-2.5, -2)]
    public void DaysLeft_CountsWholeDaysTowardZero_EitherSideOfTheExpiry(double days, int expected) =>
        Assert.Equal(expected, ExpiringAt(Now.AddDays(days)).DaysLeft(Now));
}
