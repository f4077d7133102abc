using System.Collections.Concurrent;
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A scripted <see cref="IDnsQuery"/>: each (name, type) gets a response or an exception; unscripted questions get
/// NXDOMAIN. Records are built with DnsClient's public record constructors. Every question asked is counted.
/// </summary>
internal sealed class FakeDnsQuery : DnsQueryStub
{
    private readonly ConcurrentDictionary<(string Name, QueryType Type), Func<CancellationToken, Task<IDnsQueryResponse>>> _script = new();
    private readonly ConcurrentQueue<(string Name, QueryType Type)> _asked = new();

    /// <summary>Every question asked, in order; names without the trailing dot, lower-case.</summary>
    public IReadOnlyList<(string Name, QueryType Type)> Asked => [.. _asked];

    public int QueryCount => _asked.Count;

    public int CountOf(string name, QueryType type) => _asked.Count(q => q.Name == Key(name) && q.Type == type);

    public FakeDnsQuery Answer(string name, QueryType type, params DnsResourceRecord[] answers) =>
        Respond(name, type, new FakeDnsResponse(DnsHeaderResponseCode.NoError, answers));

    public FakeDnsQuery NxDomain(string name, QueryType type, SoaRecord? soa = null, params DnsResourceRecord[] answers) =>
        Respond(name, type, new FakeDnsResponse(DnsHeaderResponseCode.NotExistentDomain, answers, soa is null ? [] : [soa]));

    public FakeDnsQuery NoData(string name, QueryType type, SoaRecord? soa = null) =>
        Respond(name, type, new FakeDnsResponse(DnsHeaderResponseCode.NoError, [], soa is null ? [] : [soa]));

    public FakeDnsQuery Rcode(string name, QueryType type, DnsHeaderResponseCode code) =>
        Respond(name, type, new FakeDnsResponse(code, []));

    public FakeDnsQuery Respond(string name, QueryType type, IDnsQueryResponse response) =>
        Respond(name, type, _ => Task.FromResult(response));

    public FakeDnsQuery Throw(string name, QueryType type, Exception exception) =>
        Respond(name, type, _ => Task.FromException<IDnsQueryResponse>(exception));

    public FakeDnsQuery Respond(string name, QueryType type, Func<CancellationToken, Task<IDnsQueryResponse>> respond)
    {
        _script[(Key(name), type)] = respond;
        return this;
    }

    public override Task<IDnsQueryResponse> QueryAsync(string query, QueryType queryType, QueryClass queryClass = QueryClass.IN, CancellationToken cancellationToken = default)
    {
        string key = Key(query);
        _asked.Enqueue((key, queryType));
        cancellationToken.ThrowIfCancellationRequested();
        var question = new DnsQuestion(query, queryType, queryClass);
        return _script.TryGetValue((key, queryType), out var respond)
            ? Echo(respond(cancellationToken), question)
            : Task.FromResult<IDnsQueryResponse>(new FakeDnsResponse(DnsHeaderResponseCode.NotExistentDomain, []).For(question));
    }

    // A real server echoes the question (RFC 1035 §4.1.2), and the library refuses a reply without it.
    private static async Task<IDnsQueryResponse> Echo(Task<IDnsQueryResponse> reply, DnsQuestion question)
    {
        IDnsQueryResponse response = await reply.ConfigureAwait(false);
        return response is FakeDnsResponse { Questions.Count: 0 } bare ? bare.For(question) : response;
    }

    public override Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, CancellationToken cancellationToken = default) =>
        QueryAsync(question.QueryName.Value, question.QuestionType, question.QuestionClass, cancellationToken);

    public override Task<IDnsQueryResponse> QueryAsync(DnsQuestion question, DnsQueryAndServerOptions queryOptions, CancellationToken cancellationToken = default) =>
        QueryAsync(question, cancellationToken);

    // ---- record builders (DnsClient's public constructors) ----

    public static TxtRecord Txt(string name, int ttl, params string[] strings) =>
        new(Info(name, ResourceRecordType.TXT, ttl), strings, strings);

    public static CNameRecord CName(string name, string target, int ttl = 300) =>
        new(Info(name, ResourceRecordType.CNAME, ttl), DnsString.Parse(target));

    public static ARecord A(string name, string address, int ttl = 300) =>
        new(Info(name, ResourceRecordType.A, ttl), IPAddress.Parse(address));

    public static AaaaRecord Aaaa(string name, string address, int ttl = 300) =>
        new(Info(name, ResourceRecordType.AAAA, ttl), IPAddress.Parse(address));

    public static SoaRecord Soa(string zone, int ttl, uint minimum) =>
        new(Info(zone, ResourceRecordType.SOA, ttl), DnsString.Parse("ns1." + zone), DnsString.Parse("hostmaster." + zone), 2024010101, 7200, 3600, 1209600, minimum);

    private static ResourceRecordInfo Info(string name, ResourceRecordType type, int ttl) =>
        new(DnsString.Parse(name), type, QueryClass.IN, ttl, 0);

    private static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();
}

/// <summary>A hand-made <see cref="IDnsQueryResponse"/>.</summary>
internal sealed class FakeDnsResponse : IDnsQueryResponse
{
    private const ushort QueryResponse = 0x8000;
    private const ushort RecursionDesired = 0x0100;
    private const ushort RecursionAvailable = 0x0080;
    private const ushort Truncated = 0x0200;

    private readonly bool _truncated;

    public FakeDnsResponse(DnsHeaderResponseCode code, IReadOnlyList<DnsResourceRecord> answers, IReadOnlyList<DnsResourceRecord>? authorities = null, bool truncated = false, IReadOnlyList<DnsQuestion>? questions = null)
    {
        _truncated = truncated;
        Questions = questions ?? [];
        Answers = answers;
        Authorities = authorities ?? [];
        ushort flags = (ushort)(QueryResponse | RecursionDesired | RecursionAvailable | (truncated ? Truncated : 0) | (int)code);
        Header = new DnsResponseHeader(1, flags, Questions.Count, Answers.Count, 0, Authorities.Count);
    }

    /// <summary>This response as the answer to <paramref name="question"/> (its question section echoes it).</summary>
    public FakeDnsResponse For(DnsQuestion question) =>
        new(Header.ResponseCode, Answers, Authorities, _truncated, [question]);

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
    public NameServer NameServer { get; } = new(IPAddress.Loopback);
    public DnsQuerySettings Settings => null!;
}
