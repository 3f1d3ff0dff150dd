using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aknn.Perf.Data;

/// <summary>
/// The TEXMEX formats: <c>.fvecs</c> (float32 rows), <c>.ivecs</c> (int32 rows) and <c>.bvecs</c>
/// (byte rows, here binary codes). Each row is a little-endian int32 holding the row length, then
/// that many little-endian values.
/// </summary>
internal static class Texmex
{
    private const int RowsPerBlock = 4096;

    public static void WriteFvecs(string path, ReadOnlySpan<float> rows, int dim) =>
        Write(path, MemoryMarshal.AsBytes(rows), dim, 4 * dim, rows.Length / dim);

    public static void WriteIvecs(string path, ReadOnlySpan<int> rows, int dim) =>
        Write(path, MemoryMarshal.AsBytes(rows), dim, 4 * dim, rows.Length / dim);

    /// <summary>
    /// Writes binary codes of <paramref name="words"/> 64-bit words as <c>.bvecs</c>: each row is the
    /// code's byte count (8 per word) and its bytes, the words little-endian one after the other
    /// (the layout FAISS's binary indexes read as uint8 codes).
    /// </summary>
    public static void WriteBvecs(string path, ReadOnlySpan<ulong> codes, int words) =>
        Write(path, MemoryMarshal.AsBytes(codes), 8 * words, 8 * words, codes.Length / words);

    /// <summary>Reads a whole <c>.bvecs</c> file of codes that are a whole number of 64-bit words; <paramref name="words"/> is that number.</summary>
    public static ulong[] ReadBvecs(string path, out int words)
    {
        ulong[] codes = ReadRows<ulong>(path, elementSize: 1, out int bytes);
        if (bytes % 8 != 0) throw new InvalidDataException($"'{path}' holds {bytes}-byte codes, not whole 64-bit words.");
        words = bytes / 8;
        return codes;
    }

    /// <summary>Whether <paramref name="path"/> exists with exactly <paramref name="n"/> rows of <paramref name="bytes"/> bytes.</summary>
    public static bool HasBvecsShape(string path, long n, int bytes) => HasRows(path, n, bytes, bytes);

    /// <summary>Writes rows of differing lengths as <c>.ivecs</c> (each row carries its own length, as the format allows).</summary>
    public static void WriteRaggedIvecs(string path, IReadOnlyList<int[]> rows)
    {
        RequireLittleEndian();
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[4];
            foreach (int[] row in rows)
            {
                BinaryPrimitives.WriteInt32LittleEndian(length, row.Length);
                file.Write(length);
                file.Write(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads an <c>.ivecs</c> file whose rows may differ in length; null when it is missing or is not such a file with <paramref name="rowCount"/> rows.</summary>
    public static int[][]? TryReadRaggedIvecs(string path, int rowCount)
    {
        if (!File.Exists(path)) return null;
        RequireLittleEndian();
        byte[] bytes = File.ReadAllBytes(path);
        var rows = new List<int[]>();
        int at = 0;
        while (at + 4 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            at += 4;
            if (length < 0 || at + 4L * length > bytes.Length) return null;
            rows.Add(MemoryMarshal.Cast<byte, int>(bytes.AsSpan(at, 4 * length)).ToArray());
            at += 4 * length;
        }
        return at == bytes.Length && rows.Count == rowCount ? rows.ToArray() : null;
    }

    /// <summary>Reads a whole <c>.fvecs</c> file into one row-major array.</summary>
    public static float[] ReadFvecs(string path, out int dim) => ReadRows<float>(path, elementSize: 4, out dim);

    /// <summary>Reads a whole <c>.ivecs</c> file into one row-major array.</summary>
    public static int[] ReadIvecs(string path, out int dim) => ReadRows<int>(path, elementSize: 4, out dim);

    /// <summary>Whether <paramref name="path"/> exists with exactly <paramref name="n"/> rows of <paramref name="dim"/> 4-byte values.</summary>
    public static bool HasShape(string path, long n, int dim) => HasRows(path, n, dim, 4 * dim);

    private static bool HasRows(string path, long n, int length, int rowBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != n * (4L + rowBytes)) return false;
        Span<byte> first = stackalloc byte[4];
        using var f = File.OpenRead(path);
        f.ReadExactly(first);
        return BinaryPrimitives.ReadInt32LittleEndian(first) == length;
    }

    /// <summary>Writes <paramref name="n"/> rows of <paramref name="rowBytes"/> bytes, each after the int32 <paramref name="dim"/>.</summary>
    private static void Write(string path, ReadOnlySpan<byte> values, int dim, int rowBytes, int n)
    {
        RequireLittleEndian();
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

    /// <summary>
    /// Reads every row's values (without the length prefixes) back to back into an array of
    /// <typeparamref name="T"/>; a row holds <paramref name="dim"/> values of <paramref name="elementSize"/> bytes.
    /// </summary>
    private static T[] ReadRows<T>(string path, int elementSize, out int dim)
        where T : unmanaged
    {
        RequireLittleEndian();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> head = stackalloc byte[4];
        file.ReadExactly(head);
        dim = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (dim <= 0 || dim > 1 << 20) throw new InvalidDataException($"'{path}' does not start with a plausible row length ({dim}).");
        int rowBytes = elementSize * dim;
        if (file.Length % (4 + rowBytes) != 0) throw new InvalidDataException($"'{path}' is {file.Length} bytes, not a whole number of {dim}-value rows.");
        int n = checked((int)(file.Length / (4 + rowBytes)));
        var values = new T[checked((long)n * rowBytes / Unsafe.SizeOf<T>())];
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
