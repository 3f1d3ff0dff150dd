namespace Aknn.Embedded;

/// <summary>Two items whose codes lie within the radius of each other.</summary>
/// <param name="First">The id that sorts first (ordinal order of the UTF-8 bytes).</param>
/// <param name="Second">The other id.</param>
/// <param name="Distance">The Hamming distance between their codes.</param>
public readonly record struct DuplicatePair(string First, string Second, int Distance);
