using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Aknn.Perf.Data;

/// <summary>
/// The TEXMEX formats: <c>.fvecs</c> (float32 rows) and <c>.ivecs</c> (int32 rows). Each row is a
/// little-endian int32 holding the row length, then that many little-endian values.
/// </summary>
internal static class Texmex
{
    private const int RowsPerBlock = 4096;

    public static void WriteFvecs(string path, ReadOnlySpan<float> rows, int dim) =>
        Write(path, MemoryMarshal.AsBytes(rows), dim, rows.Length / dim);

    public static void WriteIvecs(string path, ReadOnlySpan<int> rows, int dim) =>
        Write(path, MemoryMarshal.AsBytes(rows), dim, rows.Length / dim);

    /// <summary>Reads a whole <c>.fvecs</c> file into one row-major array.</summary>
    public static float[] ReadFvecs(string path, out int dim) => ReadRows<float>(path, out dim);

    /// <summary>Reads a whole <c>.ivecs</c> file into one row-major array.</summary>
    public static int[] ReadIvecs(string path, out int dim) => ReadRows<int>(path, out dim);

    /// <summary>Whether <paramref name="path"/> exists with exactly <paramref name="n"/> rows of <paramref name="dim"/> 4-byte values.</summary>
    public static bool HasShape(string path, long n, int dim)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != n * (4L + 4L * dim)) return false;
        Span<byte> first = stackalloc byte[4];
        using var f = File.OpenRead(path);
        f.ReadExactly(first);
        return BinaryPrimitives.ReadInt32LittleEndian(first) == dim;
    }

    private static void Write(string path, ReadOnlySpan<byte> values, int dim, int n)
    {
        RequireLittleEndian();
        int rowBytes = dim * 4;
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var block = new byte[RowsPerBlock * (4 + rowBytes)];
            for (int start = 0; start < n; start += RowsPerBlock)
            {
                int rows = Math.Min(RowsPerBlock, n - start);
                for (int r = 0; r < rows; r++)
                {
                    Span<byte> dest = block.AsSpan(r * (4 + rowBytes), 4 + rowBytes);
                    BinaryPrimitives.WriteInt32LittleEndian(dest, dim);
                    values.Slice((start + r) * rowBytes, rowBytes).CopyTo(dest[4..]);
                }
                file.Write(block, 0, rows * (4 + rowBytes));
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads every row's values (without the length prefixes) back to back.</summary>
    private static T[] ReadRows<T>(string path, out int dim)
        where T : unmanaged
    {
        RequireLittleEndian();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> head = stackalloc byte[4];
        file.ReadExactly(head);
        dim = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (dim <= 0 || dim > 1 << 20) throw new InvalidDataException($"'{path}' does not start with a plausible row length ({dim}).");
        int rowBytes = 4 * dim;
        if (file.Length % (4 + rowBytes) != 0) throw new InvalidDataException($"'{path}' is {file.Length} bytes, not a whole number of {dim}-value rows.");
        int n = checked((int)(file.Length / (4 + rowBytes)));
        var values = new T[checked(n * dim)];
        Span<byte> dest = MemoryMarshal.AsBytes(values.AsSpan());
        file.Position = 0;
        var block = new byte[RowsPerBlock * (4 + rowBytes)];
        for (int start = 0; start < n; start += RowsPerBlock)
        {
            int rows = Math.Min(RowsPerBlock, n - start);
            file.ReadExactly(block, 0, rows * (4 + rowBytes));
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<byte> src = block.AsSpan(r * (4 + rowBytes), 4 + rowBytes);
                int length = BinaryPrimitives.ReadInt32LittleEndian(src);
                if (length != dim) throw new InvalidDataException($"Row {start + r} of '{path}' has length {length}, not {dim}.");
                src[4..].CopyTo(dest.Slice((start + r) * rowBytes, rowBytes));
            }
        }
        return values;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The TEXMEX readers here assume a little-endian machine.");
    }
}
