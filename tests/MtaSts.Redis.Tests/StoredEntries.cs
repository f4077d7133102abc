using MtaSts.Testing;

namespace MtaSts.Redis.Tests;

/// <summary>Entries to store, built from their facts.</summary>
internal static class StoredEntries
{
    /// <summary>A fixed start instant for fake clocks.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static StoredPolicy Policy(string domain, DateTimeOffset fetchedAt, TimeSpan maxAge, string id = "20261201", MtaStsMode mode = MtaStsMode.Enforce) => new()
    {
        Domain = domain,
        RecordId = id,
        RecordText = "v=STSv1; id=" + id,
        PolicyText = MtaStsTestWorld.BuildPolicy(mode, (long)maxAge.TotalSeconds, "mx." + domain),
        FetchedAt = fetchedAt,
        ExpiresAt = fetchedAt + maxAge,
    };

    public static StoredPolicy Backoff(string domain, DateTimeOffset until, string id = "20261202") => new()
    {
        Domain = domain,
        Backoff = new StoredBackoff { RecordId = id, Until = until, Failure = MtaStsFailure.PolicyFetchError, ReasonCode = "timeout" },
    };

    /// <summary>A domain name no other test uses.</summary>
    public static string UniqueDomain(string label) => $"{label}-{Guid.NewGuid().ToString("N")[..8]}.example.test";
}
