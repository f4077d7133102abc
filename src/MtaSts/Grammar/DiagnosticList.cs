namespace MtaSts.Grammar;

/// <summary>
/// Collects diagnostics without allocating until the first one, and stops after <see cref="MaxCount"/> so that a
/// huge garbage input cannot grow the result without bound.
/// </summary>
internal struct DiagnosticList
{
    /// <summary>The most diagnostics kept in one list; one more entry says that the rest were dropped.</summary>
    internal const int MaxCount = 100;

    private List<MtaStsDiagnostic>? _items;

    /// <summary>How many diagnostics were recorded, including dropped ones.</summary>
    public int Count { get; private set; }

    public void Add(string code, string message, int line = 0)
    {
        Count++;
        if (Count > MaxCount + 1)
        {
            return;
        }

        _items ??= new List<MtaStsDiagnostic>(4);
        _items.Add(Count <= MaxCount
            ? new MtaStsDiagnostic(code, message, line)
            : new MtaStsDiagnostic("too-many-diagnostics", $"More than {MaxCount} diagnostics; the rest are not listed."));
    }

    public readonly IReadOnlyList<MtaStsDiagnostic> ToReadOnlyList() =>
        _items is null ? [] : _items.AsReadOnly();
}
