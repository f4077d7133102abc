using System.Buffers;

namespace MtaSts.Parsing;

/// <summary>
/// A growable list of integers that starts on a caller-provided (usually stack) buffer and moves to pooled arrays
/// only when that fills up, so that parsing a typical policy leaves no garbage behind.
/// </summary>
internal ref struct ValueIntList
{
    private Span<int> _span;
    private int[]? _rented;

    public ValueIntList(Span<int> initial)
    {
        _span = initial;
        _rented = null;
        Count = 0;
    }

    public int Count { get; private set; }

    public readonly int this[int index] => _span[index];

    public void Add(int value)
    {
        if (Count == _span.Length)
        {
            Grow();
        }

        _span[Count++] = value;
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<int>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<int>.Shared.Rent(Math.Max(16, _span.Length * 2));
        _span[..Count].CopyTo(larger);
        if (_rented is not null)
        {
            ArrayPool<int>.Shared.Return(_rented);
        }

        _rented = larger;
        _span = larger;
    }
}
