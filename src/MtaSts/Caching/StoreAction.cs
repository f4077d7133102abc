using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Caching;

/// <summary>What the policy store should do after a verdict.</summary>
internal enum StoreAction
{
    /// <summary>Nothing new to share.</summary>
    None,

    /// <summary>Write the new facts (a fetched policy, a new back-off).</summary>
    Write,

    /// <summary>Forget the domain (a fetched <c>max_age: 0</c>).</summary>
    Remove,
}
