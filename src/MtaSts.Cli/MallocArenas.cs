using System.Runtime.InteropServices;

namespace MtaSts.Cli;

/// <summary>
/// Caps how many glibc malloc arenas the process may create. glibc gives a thread its own arena when others are busy
/// (up to eight per core), and each keeps the memory it once held; a batch resolution runs OpenSSL handshakes on many
/// thread-pool threads, so those arenas, not the managed heap, are what grows an uncapped CLI. One arena saves about
/// 10 MB over 2,000 cold domains and costs no throughput measurable here, where the work waits on the network
/// (benchmarks/README.md, "The native CLI's memory"). The cap is the one <c>MALLOC_ARENA_MAX</c> sets; where that variable is
/// set, it wins and nothing is changed.
/// </summary>
internal static partial class MallocArenas
{
    /// <summary>The cap applied: one arena, shared by every thread.</summary>
    public const int Cap = 1;

    private const int ArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>
    /// Applies the cap on Linux with glibc, before the work starts; <see langword="true"/> when glibc took it. Elsewhere
    /// (other systems, musl, where mallopt is a no-op or absent) nothing happens and the answer is <see langword="false"/>.
    /// </summary>
    public static bool Limit() => Limit(Cap);

    /// <summary>Applies a cap of <paramref name="arenas"/> the same way (tests use a cap that changes nothing).</summary>
    internal static bool Limit(int arenas)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }

        try
        {
            return MAllOpt(ArenaMax, arenas) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MAllOpt(int parameter, int value);
}
