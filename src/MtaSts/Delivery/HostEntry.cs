using MtaSts.Dane;

namespace MtaSts.Delivery;

/// <summary>What the planner remembers about one MX host: its DANE status and addresses, until the TTL runs out.</summary>
internal sealed class HostEntry
{
    public HostEntry(MxHostLookupResult result, long untilTicks)
    {
        Result = result;
        UntilTicks = untilTicks;
    }

    public MxHostLookupResult Result { get; }

    public long UntilTicks { get; }
}
