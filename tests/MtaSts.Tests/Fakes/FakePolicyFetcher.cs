using System.Collections.Concurrent;
using MtaSts.Fetching;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A scriptable <see cref="IPolicyFetcher"/>: one body or failure per domain (a 404 when unscripted), every call
/// counted, and an optional gate that holds every fetch until the test opens it.
/// </summary>
internal sealed class FakePolicyFetcher : IPolicyFetcher
{
    private readonly ConcurrentDictionary<string, PolicyFetchResult> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    private int _inFlight;
    private int _maxConcurrent;

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>The most fetches that were in progress at one moment.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

    public int CallCount => _calls.Count;

    public IReadOnlyList<string> Calls => [.. _calls];

    public int CallsFor(string domain) => _calls.Count(call => call == domain);

    public void Serve(string domain, string body) =>
        _answers[domain] = new PolicyFetchResult { Failure = MtaStsFailure.None, Body = body, HttpStatusCode = 200 };

    public void Fail(string domain, MtaStsFailure failure = MtaStsFailure.PolicyFetchError, int? status = 404, string message = "HTTP status 404 (only 200 is accepted)") =>
        _answers[domain] = new PolicyFetchResult
        {
            Failure = failure,
            HttpStatusCode = status,
            Evidence = new MtaStsEvidence { Message = message, HttpStatusCode = status, ReasonCode = status is null ? "connection" : $"http-status-{status}" },
        };

    public async Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        _calls.Enqueue(domain);
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var seen = Volatile.Read(ref _maxConcurrent); inFlight > seen; seen = Volatile.Read(ref _maxConcurrent))
        {
            Interlocked.CompareExchange(ref _maxConcurrent, inFlight, seen);
        }

        try
        {
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return _answers.TryGetValue(domain, out var answer)
            ? answer
            : new PolicyFetchResult
            {
                Failure = MtaStsFailure.PolicyFetchError,
                HttpStatusCode = 404,
                Evidence = new MtaStsEvidence { Message = "HTTP status 404 (only 200 is accepted)", HttpStatusCode = 404 },
            };
    }
}
