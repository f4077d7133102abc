using System.Net.Sockets;
using DnsClient;
using MtaSts.Dns;

namespace MtaSts.Tests.Dns;

public class DnsFailureTests
{
    [Theory]
    [InlineData(DnsHeaderResponseCode.ServerFailure, "SERVFAIL")]
    [InlineData(DnsHeaderResponseCode.Refused, "REFUSED")]
    [InlineData(DnsHeaderResponseCode.FormatError, "FORMERR")]
    [InlineData(DnsHeaderResponseCode.NotImplemented, "NOTIMP")]
    [InlineData(DnsHeaderResponseCode.NotExistentDomain, "NXDOMAIN")]
    [InlineData(DnsHeaderResponseCode.NoError, "NOERROR")]
    [InlineData((DnsHeaderResponseCode)12, "rcode 12")]
    public void RcodeName_IsTheMnemonic(DnsHeaderResponseCode code, string expected) =>
        Assert.Equal(expected, DnsFailure.RcodeName(code));

    [Fact]
    public void FromRcode_CarriesTheCodeNameAndMnemonic()
    {
        DnsFailure failure = DnsFailure.FromRcode(DnsHeaderResponseCode.ServerFailure, QueryType.TXT, "_mta-sts.example");

        Assert.Equal("ServerFailure", failure.Code);
        Assert.Contains("SERVFAIL", failure.Message, StringComparison.Ordinal);
        Assert.Contains("_mta-sts.example", failure.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Exception, string, string> Known => new()
    {
        { new DnsResponseException(DnsResponseCode.ConnectionTimeout, "no answer"), "ConnectionTimeout", "timed out" },
        { new TimeoutException(), "ConnectionTimeout", "timed out" },
        { new OperationCanceledException(), "ConnectionTimeout", "timed out" },
        { new SocketException((int)SocketError.NetworkUnreachable), "ConnectionTimeout", "no server could be reached" },
        { new DnsResponseException(DnsResponseCode.ServerFailure, "bad"), "ServerFailure", "failed" },
        { new DnsResponseParseException("cut short", [1, 2, 3], 1, 2), "MalformedResponse", "malformed" },
        { new OverflowException(), "MalformedResponse", "malformed" },
        { new FormatException(), "MalformedResponse", "malformed" },
        { new DnsXidMismatchException(1, 2), "MalformedResponse", "does not belong to the query" },
        { new DnsNotAnAnswerException(), "MalformedResponse", "does not belong to the query" },

        // DnsClient's own code 666 ("Unassigned") is not a server's rcode: never "rcode 666 from the server".
        { new DnsResponseException(DnsResponseCode.Unassigned, "x", new SocketException((int)SocketError.ConnectionRefused)), "ConnectionTimeout", "no server could be reached" },
        { new DnsResponseException(DnsResponseCode.Unassigned, "x", new FormatException()), "MalformedResponse", "malformed" },
        { new DnsResponseException(DnsResponseCode.Unassigned, "x"), "Unassigned", "the client could not complete the exchange" },

        // Thrown inside DnsClient while it handles a reply it cannot parse (DnsReplyFuzzRegressionTests).
#pragma warning disable CA2201 // The runtime's own exception, as DnsClient lets it out.
        { new NullReferenceException { Source = "DnsClient" }, "MalformedResponse", "malformed" },
#pragma warning restore CA2201
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void FromException_MapsEachDnsClientFailure(Exception exception, string code, string words)
    {
        DnsFailure failure = Assert.NotNull(DnsFailure.FromException(exception, QueryType.MX, "example"));

        Assert.Equal(code, failure.Code);
        Assert.Contains(words, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromException_LeavesUnexplainedExceptionsToTheCaller()
    {
        Assert.Null(DnsFailure.FromException(new NotSupportedException(), QueryType.A, "example"));
        Assert.Null(DnsFailure.FromException(new KeyNotFoundException(), QueryType.A, "example"));

        // A null dereference outside DnsClient is a bug of ours, not a DNS failure.
#pragma warning disable CA2201 // The runtime's own exception, as a bug of ours would let it out.
        Assert.Null(DnsFailure.FromException(new NullReferenceException { Source = "MtaSts" }, QueryType.A, "example"));
#pragma warning restore CA2201
    }
}
