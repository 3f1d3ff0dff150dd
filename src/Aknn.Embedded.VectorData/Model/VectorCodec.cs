using System.Collections;
using Microsoft.Extensions.AI;

namespace Aknn.Embedded.VectorData.Model;

/// <summary>Converts between the vector types a record or a query may use and the core's floats or 64-bit code words.</summary>
internal static class VectorCodec
{
    /// <summary>The floats of a float vector value, or null when <paramref name="value"/> is not one.</summary>
    public static ReadOnlyMemory<float>? Floats(object? value) => value switch
    {
        // Typed arms: with a plain null arm the switch would take ReadOnlyMemory<float> as its type and
        // turn "not a vector" into an empty vector through the array conversion.
        ReadOnlyMemory<float> m => (ReadOnlyMemory<float>?)m,
        float[] a => new ReadOnlyMemory<float>(a),
        Embedding<float> e => e.Vector,
        Memory<float> m => m,
        _ => default(ReadOnlyMemory<float>?),
    };

    /// <summary>The code words of a bit vector value (bit i of the vector is bit i%64 of word i/64), or null when it is not one.</summary>
    /// <exception cref="ArgumentException">The bit count is not <paramref name="bits"/>.</exception>
    public static ulong[]? Code(object? value, int bits, string param)
    {
        BitArray? b = value switch
        {
            BitArray a => a,
            BinaryEmbedding e => e.Vector,
            _ => null,
        };
        if (b is null) return null;
        if (b.Length != bits)
            throw new ArgumentException($"The bit vector has {b.Length} bits, but the vector property holds {bits}-bit vectors.", param);
        var words = new ulong[bits / 64];
        for (int i = 0; i < bits; i++)
            if (b[i]) words[i >> 6] |= 1UL << (i & 63);
        return words;
    }

    /// <summary>A stored float vector as a value of the vector property's type.</summary>
    public static object FromFloats(float[] vector, Type type) =>
        type == typeof(float[]) ? vector
        : type == typeof(Embedding<float>) ? new Embedding<float>(vector)
        : new ReadOnlyMemory<float>(vector);

    /// <summary>A stored code as a value of the vector property's type.</summary>
    public static object FromCode(ulong[] code, int bits, Type type)
    {
        var b = new BitArray(bits);
        for (int i = 0; i < bits; i++) b[i] = (code[i >> 6] >> (i & 63) & 1) != 0;
        return type == typeof(BinaryEmbedding) ? new BinaryEmbedding(b) : b;
    }
}
