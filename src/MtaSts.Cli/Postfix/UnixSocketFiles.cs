using System.Runtime.InteropServices;

namespace MtaSts.Cli.Postfix;

/// <summary>Whether a path is a Unix-domain socket file: <c>lstat(2)</c>, which .NET does not expose (its file attributes carry no file type).</summary>
internal static partial class UnixSocketFiles
{
    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint SocketType = 0xC000;   // S_IFSOCK

    /// <summary>
    /// <see langword="true"/> only when the path is known to be a socket. Where the layout of <c>struct stat</c> is not
    /// known here (other than Linux on x64 or Arm64), the answer is <see langword="false"/>, so nothing is ever deleted
    /// that might not be a socket.
    /// </summary>
    public static bool IsSocket(string path)
    {
        // st_mode's offset in glibc's struct stat: after st_dev, st_ino, st_nlink on x86-64; after st_dev, st_ino on Arm64.
        int offset;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        switch (RuntimeInformation.ProcessArchitecture)
        {
            case Architecture.X64:
                offset = 24;
                break;
            case Architecture.Arm64:
                offset = 16;
                break;
            default:
                return false;
        }

        var buffer = new byte[256];
        try
        {
            if (LStat(path, buffer) != 0)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }

        var mode = BitConverter.ToUInt32(buffer, offset);
        return (mode & FileTypeMask) == SocketType;
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStat(string path, [Out] byte[] buffer);
}
