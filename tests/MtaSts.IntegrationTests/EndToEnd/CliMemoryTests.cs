using MtaSts.Cli;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// Issue 10 §1: the CLI caps glibc's malloc arenas at start. This pins that the call reaches glibc (a wrong library or
/// entry point name answers false); what the cap saves is checked by CliLoad's memory budget in CI, which an uncapped
/// native CLI exceeds.
/// </summary>
public sealed class CliMemoryTests
{
    [Fact]
    public void TheArenaCap_ReachesGlibc()
    {
        Assert.True(OperatingSystem.IsLinux(), "the suite runs on Linux, where the CLI's memory budget is measured");
        Assert.Null(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

        // A cap far above what two cores would ever create (glibc's default is eight per core), so the test host's own
        // allocation is unchanged.
        Assert.True(MallocArenas.Limit(256));
        Assert.Equal(1, MallocArenas.Cap);
    }
}
