using System.Security.Cryptography;
using System.Text;

namespace MtaSts;

/// <summary>
/// The file handling the file stores share: a file name per domain that is safe on every file system, durable writes,
/// one lock file per store directory, best-effort deletes.
/// </summary>
internal static class StoreFiles
{
    private const string LockFileName = ".lock";
    private const int MaxPlainNameLength = 200;
    private static readonly TimeSpan LockRetryPause = TimeSpan.FromMilliseconds(2);
    private static readonly string[] ReservedWindowsNames =
        ["con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"];

    /// <summary>The file name of a domain's entry: the domain itself when it is plain, else "~" and a hash of it.</summary>
    public static string FileName(string domain, string extension)
    {
        var firstLabel = domain.AsSpan(0, domain.IndexOf('.') is var dot and >= 0 ? dot : domain.Length);
        var reserved = false;
        foreach (var name in ReservedWindowsNames)
        {
            reserved |= firstLabel.Equals(name, StringComparison.OrdinalIgnoreCase);
        }

        if (domain.Length <= MaxPlainNameLength && !reserved && IsPlain(domain))
        {
            return domain + extension;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(domain));
        return "~" + Convert.ToHexString(hash.AsSpan(0, 20)).ToLowerInvariant() + extension;
    }

    private static bool IsPlain(string domain)
    {
        foreach (var c in domain)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '-'))
            {
                return false;
            }
        }

        return domain.Length > 0 && domain[0] != '.';
    }

    public static async Task WriteDurablyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        });
        await using var closing = stream.ConfigureAwait(false);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The directory's advisory lock (FileShare.None is an exclusive <c>flock</c> on Unix, a share lock on Windows).</summary>
    public static async Task<IDisposable> LockAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, LockFileName);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // Held by another writer for the few microseconds of a compare-and-rename: try again shortly. A pause, not
                // a clock read, so it uses real time even when tests drive expiry with a fake clock.
                await Task.Delay(LockRetryPause, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is removed later, an expired entry is ignored when read.
        }
    }

    /// <summary>
    /// Reads a whole file of at most <paramref name="maxBytes"/>: no bytes and no problem when it does not exist; no bytes
    /// and a problem (in words fit for a log) when it is larger or was truncated while being read.
    /// </summary>
    public static async Task<(byte[]? Bytes, string? Problem)> ReadAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous,
            });
            await using var closing = stream.ConfigureAwait(false);
            if (stream.Length > maxBytes)
            {
                return (null, $"it is larger than {maxBytes} bytes");
            }

            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return (bytes, null);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
        catch (EndOfStreamException)
        {
            return (null, "it was truncated while being read");
        }
    }
}
