using Aknn.Embedded.CrashHelper;
using Aknn.Embedded.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// FsCheck properties over every file kind: one flipped bit or byte, or a cut, at a random offset
/// of a random file of that kind in a small, cleanly closed index (a float index with an LSH model,
/// or a binary-code index) whose every write was made durable. Oracle: opening or reading the index
/// throws <see cref="IndexCorruptedException"/> naming that file, or every durable write is present
/// and exact, and searches equal brute force. A silent loss, a wrong answer or any other exception
/// fails the property; FsCheck then shrinks the damage (first file, one bit, the smallest offset
/// that still fails) and prints it with the seed to replay.
/// </summary>
/// <remarks>
/// The classification is <see cref="CorruptionTrial"/>, shared with the <c>corrupt</c> workload
/// of perf/Aknn.Perf, which runs thousands of trials and counts each outcome.
/// </remarks>
public class CorruptionPropertyTests(PristineIndexes pristine) : IClassFixture<PristineIndexes>
{
    /// <summary>The damages: mostly flips (single bits or random masks), a quarter cuts.</summary>
    public static class Damages
    {
        /// <summary>The registered Arbitrary: generator and shrinker of <see cref="Damage"/>.</summary>
        public static Arbitrary<Damage> Damage() => Arb.From(Generator, Shrink);

        private static Gen<Damage> Generator =>
            from truncate in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
            from file in Gen.Choose(0, 7)
            from position in Gen.Choose(0, 999_999)
            from mask in Gen.OneOf(Gen.Choose(0, 7).Select(b => (byte)(1 << b)), Gen.Choose(1, 255).Select(b => (byte)b))
            select new Damage(truncate, file, position, mask);

        /// <summary>Toward the first file, a single bit, and the smallest offset that still fails.</summary>
        private static IEnumerable<Damage> Shrink(Damage d)
        {
            if (d.FileChoice != 0) yield return d with { FileChoice = 0 };
            if (!d.Truncate && System.Numerics.BitOperations.PopCount(d.Mask) > 1)
                yield return d with { Mask = (byte)(d.Mask & -d.Mask) };
            if (d.PerMillion > 0) yield return d with { PerMillion = 0 };
            for (int step = d.PerMillion / 2; step > 0; step /= 2)
                yield return d with { PerMillion = d.PerMillion - step };
        }
    }

    private void Check(FileKind kind, Damage damage, bool binary)
    {
        PristineIndex index = binary && kind != FileKind.LshModel ? pristine.Binary : pristine.Float;
        using var tmp = new TempFolder();
        TrialResult? result = CorruptionTrial.Run(index, kind, damage, tmp.Index("work"));
        Assert.True(result is not null, $"The pristine {index.Kind} index has no {kind} file.");
        Assert.True(result.Outcome is TrialOutcome.Detected or TrialOutcome.Harmless,
            $"{kind} of the {index.Kind} index, {damage}: {result}");
    }

    [Property(Arbitrary = new[] { typeof(Damages) }, MaxTest = 100)]
    public void Damaged_log_is_reported_or_loses_nothing(Damage damage, bool binary) => Check(FileKind.Log, damage, binary);

    [Property(Arbitrary = new[] { typeof(Damages) }, MaxTest = 60)]
    public void Damaged_manifest_is_reported_or_loses_nothing(Damage damage, bool binary) => Check(FileKind.Manifest, damage, binary);

    [Property(Arbitrary = new[] { typeof(Damages) }, MaxTest = 60)]
    public void Damaged_segment_is_reported_or_loses_nothing(Damage damage, bool binary) => Check(FileKind.Segment, damage, binary);

    [Property(Arbitrary = new[] { typeof(Damages) }, MaxTest = 60)]
    public void Damaged_deletion_file_is_reported_or_loses_nothing(Damage damage, bool binary) => Check(FileKind.DeletionFile, damage, binary);

    [Property(Arbitrary = new[] { typeof(Damages) }, MaxTest = 40)]
    public void Damaged_lsh_model_is_reported_or_loses_nothing(Damage damage) => Check(FileKind.LshModel, damage, binary: false);
}
