using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Diagnostics;
using static MtaSts.Tests.Caching.StoredPolicyFormatTests;

namespace MtaSts.Tests.Caching.Stores;

/// <summary>The file store: atomic writes, unreadable files ignored and logged, expiry, newer-wins across writers.</summary>
public sealed class FilePolicyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Fetched.AddHours(1));
    private readonly FakeLogger _logger = new();
    private readonly FilePolicyStore _store;

    public FilePolicyStoreTests() => _store = new FilePolicyStore(_directory, _time, _logger);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task S_1_SetGetRemoveList_RoundTrip()
    {
        Assert.True(await _store.SetAsync(Entry("a.example.test")));
        Assert.True(await _store.SetAsync(Entry("b.example.test", backoff: Backoff())));

        var read = await _store.GetAsync("b.example.test");
        Assert.Equal(PolicyText, read!.PolicyText);
        Assert.Equal("http-status-503", read.Backoff!.ReasonCode);
        Assert.Equal(["a.example.test", "b.example.test"], await ListDomainsAsync());
        Assert.True(File.Exists(Path.Combine(_directory, "a.example.test.json")));

        Assert.True(await _store.RemoveAsync("a.example.test"));
        Assert.False(await _store.RemoveAsync("a.example.test"));
        Assert.Null(await _store.GetAsync("a.example.test"));
        Assert.Equal(["b.example.test"], await ListDomainsAsync());
    }

    [Fact]
    public async Task S_3_AnExpiredEntry_IsNeverReturned_AndItsFileIsRemoved()
    {
        await _store.SetAsync(Entry());
        var path = _store.GetPath("example.test");

        _time.SetUtcNow(Fetched.AddDays(7).AddTicks(-1));
        Assert.NotNull(await _store.GetAsync("example.test"));

        _time.SetUtcNow(Fetched.AddDays(7));
        Assert.Empty(await ListDomainsAsync());
        Assert.Null(await _store.GetAsync("example.test"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task S_4_AnOlderFetch_NeverReplacesANewerOne_OnDisk()
    {
        Assert.True(await _store.SetAsync(Entry(id: "new", fetched: Fetched.AddMinutes(30))));

        Assert.False(await _store.SetAsync(Entry(id: "old", fetched: Fetched)));

        Assert.Equal("new", (await _store.GetAsync("example.test"))!.RecordId);
    }

    [Fact]
    public async Task S_4_AnExpiredNewerEntry_DoesNotBlockAWrite()
    {
        // A back-off-only entry that ended long ago must not stop a fresh policy from being stored.
        await _store.SetAsync(new StoredPolicy { Domain = "example.test", Backoff = Backoff(until: Fetched.AddMinutes(5)) });
        _time.Advance(TimeSpan.FromHours(1));

        Assert.True(await _store.SetAsync(Entry(fetched: Fetched.AddHours(2))));
    }

    [Fact]
    public async Task S_4_TwoStoresOnOneDirectory_WritingConcurrently_EndWithTheNewestFetch()
    {
        // Two instances take the directory's lock file as two processes would (flock is per open file).
        var other = new FilePolicyStore(_directory, _time, _logger);
        var writes = Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            (i % 2 == 0 ? _store : other).SetAsync(Entry(id: $"id{i}", fetched: Fetched.AddSeconds(i)))));

        await Task.WhenAll(writes);

        Assert.Equal("id199", (await _store.GetAsync("example.test"))!.RecordId);
        Assert.Equal("id199", (await other.GetAsync("example.test"))!.RecordId);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task S_1_AWriteLeavesNoTemporaryFile_AndACrashBeforeTheRename_LeavesTheOldEntryReadable()
    {
        await _store.SetAsync(Entry(id: "before"));
        Assert.Equal([".lock", "example.test.json"], Directory.GetFiles(_directory).Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal).ToArray());

        // What a crash between write and rename leaves: a (possibly partial) temporary file beside the entry.
        var partial = StoredPolicyFormat.Serialize(Entry(id: "after", fetched: Fetched.AddMinutes(1)));
        await File.WriteAllBytesAsync(Path.Combine(_directory, ".example.test.0123456789abcdef0123456789abcdef.tmp"), partial.AsMemory(0, partial.Length / 2).ToArray());

        Assert.Equal("before", (await _store.GetAsync("example.test"))!.RecordId);
        Assert.Equal(["example.test"], await ListDomainsAsync());
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Id.Id == Log.IdFileStoreEntryIgnored);
    }

    [Fact]
    public async Task ATemporaryFileLeftByACrash_IsRemovedOnceAnHourOld()
    {
        var stale = Path.Combine(_directory, ".a.example.test.1.tmp");
        var fresh = Path.Combine(_directory, ".b.example.test.2.tmp");
        await File.WriteAllTextAsync(stale, "{");
        await File.WriteAllTextAsync(fresh, "{");
        File.SetLastWriteTimeUtc(stale, _time.GetUtcNow().UtcDateTime.AddHours(-2));
        File.SetLastWriteTimeUtc(fresh, _time.GetUtcNow().UtcDateTime.AddMinutes(-1));

        await ListDomainsAsync();

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh)); // possibly a write in progress in another process
    }

    [Theory]
    [InlineData("corrupt", "not valid UTF-8")]
    [InlineData("truncated", "not valid JSON")]
    [InlineData("foreign", "foreign")]
    [InlineData("newer", "format version 9")]
    [InlineData("empty", "not valid JSON")]
    public async Task S_1_ACorruptTruncatedOrForeignFile_IsIgnoredAndLogged_NeverFatal_AndTheNextWriteReplacesIt(string kind, string reason)
    {
        var whole = StoredPolicyFormat.Serialize(Entry());
        byte[] content = kind switch
        {
            "corrupt" => [0xFF, 0x00, 0x7B, 0x13],
            "truncated" => whole.AsSpan(0, whole.Length - 7).ToArray(),
            "foreign" => Encoding.UTF8.GetBytes("{\"name\":\"not ours\",\"version\":1}"),
            "newer" => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(whole).Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal)),
            _ => [],
        };
        await _store.SetAsync(Entry("fine.example.test"));
        await File.WriteAllBytesAsync(_store.GetPath("example.test"), content);

        Assert.Null(await _store.GetAsync("example.test"));
        Assert.Equal(["fine.example.test"], await ListDomainsAsync());

        var logged = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == Log.IdFileStoreEntryIgnored).ToList();
        Assert.NotEmpty(logged);
        Assert.All(logged, r => Assert.Contains("example.test.json", r.Message, StringComparison.Ordinal));
        Assert.Contains(logged, r => r.Message.Contains(reason, StringComparison.Ordinal));

        Assert.True(await _store.SetAsync(Entry()));
        Assert.NotNull(await _store.GetAsync("example.test"));
    }

    [Fact]
    public async Task AFileHoldingAnotherDomain_IsIgnored()
    {
        await File.WriteAllBytesAsync(_store.GetPath("victim.example.test"), StoredPolicyFormat.Serialize(Entry("attacker.example.test")));

        Assert.Null(await _store.GetAsync("victim.example.test"));
        Assert.Empty(await ListDomainsAsync());
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == Log.IdFileStoreEntryIgnored);
    }

    [Fact]
    public async Task OtherFilesInTheDirectory_AreIgnoredAndLogged_ByList()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "README.txt"), "hello");
        Directory.CreateDirectory(Path.Combine(_directory, "sub.json"));
        await _store.SetAsync(Entry());

        Assert.Equal(["example.test"], await ListDomainsAsync());
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == Log.IdFileStoreEntryIgnored && r.Message.Contains("README.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOversizedFile_IsIgnoredWithoutBeingRead()
    {
        using (var stream = File.Create(_store.GetPath("example.test")))
        {
            stream.SetLength(StoredPolicyFormat.MaxEntryBytes + 1);
        }

        Assert.Null(await _store.GetAsync("example.test"));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == Log.IdFileStoreEntryIgnored && r.Message.Contains("larger than", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("con.example.test")]
    [InlineData("lpt1.example.test")]
    [InlineData("xn--bcher-kva.example.test")]
    public async Task FileNames_AreTheDomain_OrAHashForNamesAFileSystemMayRefuse(string domain)
    {
        await _store.SetAsync(Entry(domain));

        var name = Path.GetFileName(_store.GetPath(domain));
        Assert.Equal(domain.StartsWith("xn--", StringComparison.Ordinal) ? domain + ".json" : name, name);
        Assert.Equal(domain.StartsWith("xn--", StringComparison.Ordinal), !name.StartsWith('~'));
        Assert.Equal(domain, (await _store.GetAsync(domain))!.Domain);
        Assert.Equal([domain], await ListDomainsAsync());
    }

    [Fact]
    public async Task AVeryLongDomain_IsStoredUnderAHashedName()
    {
        var label = new string('a', 63);
        var domain = string.Join('.', label, label, label, new string('b', 50), "example"); // 250 characters

        await _store.SetAsync(Entry(domain));

        var name = Path.GetFileName(_store.GetPath(domain));
        Assert.StartsWith("~", name, StringComparison.Ordinal);
        Assert.True(name.Length < 64);
        Assert.Equal(domain, (await _store.GetAsync(domain))!.Domain);
        Assert.Equal([domain], await ListDomainsAsync());
    }

    [Fact]
    public async Task ACancelledWrite_LeavesNoTemporaryFile()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.SetAsync(Entry(), cancelled.Token));

        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
        Assert.Null(await _store.GetAsync("example.test"));
    }

    private async Task<string[]> ListDomainsAsync()
    {
        var domains = new List<string>();
        await foreach (var entry in _store.ListAsync())
        {
            domains.Add(entry.Domain);
        }

        return domains.Order(StringComparer.Ordinal).ToArray();
    }
}
