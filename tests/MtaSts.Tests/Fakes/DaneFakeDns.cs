using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A scripted <see cref="IDnsQuery"/> for the DANE lookups: each (name, type) gets a fixed reply with a chosen rcode, AD
/// bit and answering resolver. Every question asked is recorded with the options it was asked with. A question
/// without a script fails the test (it throws an exception the lookups do not catch).
/// </summary>
internal sealed class DaneFakeDns : MtaSts.Tests.Fakes.DnsQueryStub
{
    private const ushort Qr = 0x8000, Tc = 0x0200, Rd = 0x0100, Ra = 0x0080, Ad = 0x0020;

    private readonly Dictionary<(string Name, QueryType Type), Func<DnsQuestion, IDnsQueryResponse>> _script = [];

    /// <summary>The resolver the replies claim to come from unless a script says otherwise.</summary>
    public IPEndPoint DefaultResolver { get; set; } = new(IPAddress.Loopback, 53);

    /// <summary>Every question asked, in order.</summary>
    public List<(string Name, QueryType Type, DnsQueryAndServerOptions? Options)> Asked { get; } = [];

    public static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();

    // ---- scripting ---------------------------------------------------------------------------------------------------

    /// <summary>NOERROR with the given answer records.</summary>
    public DaneFakeDns Answer(string name, QueryType type, bool ad, params DnsResourceRecord[] answers) =>
        Reply(name, type, DnsHeaderResponseCode.NoError, ad, answers, []);

    /// <summary>NOERROR, empty answer (NODATA), with an SOA in the authority section.</summary>
    public DaneFakeDns NoData(string name, QueryType type, bool ad, params DnsResourceRecord[] cnames) =>
        Reply(name, type, DnsHeaderResponseCode.NoError, ad, cnames, [Soa(name)]);

    /// <summary>NXDOMAIN, with an SOA in the authority section.</summary>
    public DaneFakeDns NxDomain(string name, QueryType type, bool ad, params DnsResourceRecord[] cnames) =>
        Reply(name, type, DnsHeaderResponseCode.NotExistentDomain, ad, cnames, [Soa(name)]);

    /// <summary>An error rcode (SERVFAIL by default), which is what a validating resolver answers for bogus data.</summary>
    public DaneFakeDns Fail(string name, QueryType type, DnsHeaderResponseCode code = DnsHeaderResponseCode.ServerFailure) =>
        Reply(name, type, code, false, [], []);

    /// <summary>A reply with every knob.</summary>
    public DaneFakeDns Reply(string name, QueryType type, DnsHeaderResponseCode code, bool ad, DnsResourceRecord[] answers, DnsResourceRecord[] authorities, IPEndPoint? resolver = null, bool truncated = false, DnsQuestion? echoedQuestion = null)
    {
        _script[(Key(name), type)] = q => new FakeResponse(echoedQuestion ?? q, code, ad, truncated, answers, authorities, new NameServer(resolver ?? DefaultResolver));
        return this;
    }

    /// <summary>The query throws, as DnsClient does after all retries time out.</summary>
    public DaneFakeDns Throw(string name, QueryType type, Exception exception)
    {
        _script[(Key(name), type)] = _ => throw exception;
        return this;
    }

    // ---- records -----------------------------------------------------------------------------------------------------

    public static MxRecord Mx(string owner, ushort preference, string exchange, int ttl = 300) =>
        new(Info(owner, ResourceRecordType.MX, ttl), preference, DnsString.Parse(exchange));

    public static ARecord A(string owner, string address, int ttl = 300) =>
        new(Info(owner, ResourceRecordType.A, ttl), IPAddress.Parse(address));

    public static AaaaRecord Aaaa(string owner, string address, int ttl = 300) =>
        new(Info(owner, ResourceRecordType.AAAA, ttl), IPAddress.Parse(address));

    public static CNameRecord Cname(string owner, string target, int ttl = 300) =>
        new(Info(owner, ResourceRecordType.CNAME, ttl), DnsString.Parse(target));

    public static TlsaRecord Tlsa(string owner, byte usage, byte selector, byte matchingType, byte[] data, int ttl = 300) =>
        new(Info(owner, ResourceRecordType.TLSA, ttl), usage, selector, matchingType, data);

    /// <summary>A usable DANE-EE SPKI SHA-256 record (3 1 1) with a 32-byte digest.</summary>
    public static TlsaRecord Tlsa311(string owner, byte fill = 0xAB, int ttl = 300) => Tlsa(owner, 3, 1, 1, Enumerable.Repeat(fill, 32).ToArray(), ttl);

    public static SoaRecord Soa(string owner, int ttl = 3600, uint minimum = 300) =>
        new(Info(owner, ResourceRecordType.SOA, ttl), DnsString.Parse("ns." + owner), DnsString.Parse("hostmaster." + owner), 1, 3600, 600, 86400, minimum);

    private static ResourceRecordInfo Info(string owner, ResourceRecordType type, int ttl) =>
        new(DnsString.Parse(owner), type, QueryClass.IN, ttl, 0);

    // ---- IDnsQuery ---------------------------------------------------------------------------------------------------

    public override Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, DnsQueryAndServerOptions queryOptions, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(question, queryOptions));

    public override Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(question, null));

    public override Task<IDnsQueryResponse> QueryAsync(string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(new DnsQuestion(query, queryType, queryClass), null));

    private IDnsQueryResponse Run(DnsQuestion question, DnsQueryAndServerOptions? options)
    {
        var name = Key(question.QueryName.Value);
        Asked.Add((name, question.QuestionType, options));
        return _script.TryGetValue((name, question.QuestionType), out var reply)
            ? reply(question)
            : throw new UnscriptedQuestionException($"No script for {name} {question.QuestionType}");
    }

    internal sealed class UnscriptedQuestionException(string message) : Exception(message);

    private sealed class FakeResponse : IDnsQueryResponse
    {
        public FakeResponse(DnsQuestion question, DnsHeaderResponseCode code, bool ad, bool truncated, DnsResourceRecord[] answers, DnsResourceRecord[] authorities, NameServer server)
        {
            var flags = (ushort)(Qr | Rd | Ra | (ushort)code);
            if (ad)
            {
                flags |= Ad;
            }

            if (truncated)
            {
                flags |= Tc;
            }

            Questions = [question];
            Answers = answers;
            Authorities = authorities;
            Header = new DnsResponseHeader(1, flags, 1, answers.Length, 0, authorities.Length);
            NameServer = server;
        }

        public IReadOnlyList<DnsQuestion> Questions { get; }

        public IReadOnlyList<DnsResourceRecord> Additionals { get; } = [];

        public IEnumerable<DnsResourceRecord> AllRecords => Answers.Concat(Authorities).Concat(Additionals);

        public IReadOnlyList<DnsResourceRecord> Answers { get; }

        public IReadOnlyList<DnsResourceRecord> Authorities { get; }

        public string AuditTrail => string.Empty;

        public string ErrorMessage => Header.ResponseCode.ToString();

        public bool HasError => Header.ResponseCode != DnsHeaderResponseCode.NoError;

        public DnsResponseHeader Header { get; }

        public int MessageSize => 512;

        public NameServer NameServer { get; }

        public DnsQuerySettings Settings { get; } = new(new DnsQueryOptions());
    }
}
