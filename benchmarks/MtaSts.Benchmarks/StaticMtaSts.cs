using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Benchmarks;

/// <summary>A discoverer that always finds one valid record, without I/O (warm-path benchmarks).</summary>
internal sealed class StaticDiscoverer : IMtaStsRecordDiscoverer
{
    private static readonly DiscoveryResult Found = new()
    {
        Status = DiscoveryStatus.Found,
        Record = new MtaStsRecord("20250301T000000", "v=STSv1; id=20250301T000000"),
        TimeToLive = TimeSpan.FromDays(1),
        TxtRecords = ["v=STSv1; id=20250301T000000"],
    };

    public Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken) => Task.FromResult(Found);
}

/// <summary>A fetcher that always returns one enforce policy, without I/O (warm-path benchmarks).</summary>
internal sealed class StaticFetcher : IPolicyFetcher
{
    private static readonly PolicyFetchResult Policy = new()
    {
        Failure = MtaStsFailure.None,
        HttpStatusCode = 200,
        Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mx.example.test\r\nmax_age: 31557600\r\n",
    };

    public Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken) => Task.FromResult(Policy);
}
