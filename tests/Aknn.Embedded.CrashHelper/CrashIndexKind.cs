namespace Aknn.Embedded.CrashHelper;

/// <summary>The two kinds of index the reliability workloads build.</summary>
public enum CrashIndexKind
{
    /// <summary>
    /// Float vectors (<see cref="CrashItems.Dimensions"/>, Euclidean) with a bisecting-hyperplane LSH
    /// model fitted from the first rows, so the index also has an LSHMODEL file.
    /// </summary>
    Float,

    /// <summary>Binary codes (<see cref="CrashItems.CodeBits"/> bits, Hamming) with multi-index hashing.</summary>
    Binary,
}
