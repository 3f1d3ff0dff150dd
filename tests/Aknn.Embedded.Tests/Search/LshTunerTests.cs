using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Tests.Search;

/// <summary>The tuner measures real recall and latency and picks the fastest configuration that meets the target.</summary>
public class LshTunerTests
{
    private const int Dims = 16;

    [Fact]
    public void The_pick_meets_the_target_and_the_frontier_trades_recall_for_time()
    {
        float[] data = Clustered.Vectors(21, 6000, Dims, clusters: 20);
        var progress = new List<LshTuningProgress>();
        var tuning = LshTuner.Tune(new ReadOnlySpan2D<float>(data, 6000, Dims), Metric.Euclidean, new LshTuningOptions
        {
            K = 10,
            TargetRecall = 0.9,
            Queries = 100,
            Models = [IndexModel.BisectingHyperplanes(8, 6, fitRows: 2000), IndexModel.StableDistribution(8, 3, width: 2f)],
            CandidateCounts = [20, 100, 400],
            ProbeCounts = [0, 8],
        }, new Progress(progress));

        Assert.Equal(2 * 2 * 3, tuning.Trials.Count);
        Assert.Equal(5900, tuning.IndexedRows);
        Assert.Equal(100, tuning.Queries);
        Assert.True(tuning.ExactMedianMilliseconds > 0);
        Assert.All(tuning.Trials, t => Assert.InRange(t.Recall, 0, 1));
        // More candidates never lose recall for the same model and probes.
        foreach (var group in tuning.Trials.GroupBy(t => (t.Model.ToString(), t.Probes)))
            Assert.True(group.OrderBy(t => t.Candidates).Select(t => t.Recall).Zip(group.OrderBy(t => t.Candidates).Select(t => t.Recall).Skip(1)).All(p => p.First <= p.Second + 1e-9));
        // The frontier: faster first, each step buying recall.
        for (int i = 1; i < tuning.Frontier.Count; i++)
        {
            Assert.True(tuning.Frontier[i].MedianMilliseconds >= tuning.Frontier[i - 1].MedianMilliseconds);
            Assert.True(tuning.Frontier[i].Recall > tuning.Frontier[i - 1].Recall);
        }
        LshTrial best = Assert.IsType<LshTrial>(tuning.Best);
        Assert.True(best.Recall >= 0.9);
        Assert.DoesNotContain(tuning.Trials, t => t.Recall >= 0.9 && t.MedianMilliseconds < best.MedianMilliseconds);
        Assert.Contains(progress, p => p.Stage == "measuring");
    }

    [Fact]
    public void An_existing_index_can_be_tuned_from_its_own_rows()
    {
        using var dir = new TempFolder();
        ulong[] codes = Clustered.Codes(5, 3000, 1, clusters: 30);
        using var index = VectorIndex.Create(dir.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming });
        index.UpsertCodeBatch(Clustered.Ids(3000), new ReadOnlySpan2D<ulong>(codes, 3000, 1));
        var tuning = LshTuner.Tune(index, new LshTuningOptions
        {
            Queries = 50,
            Models = [IndexModel.BitSampling(8, 10)],
            CandidateCounts = [50, 200],
        });
        Assert.Equal(2950, tuning.IndexedRows);
        Assert.Equal(2, tuning.Trials.Count);
        Assert.All(tuning.Trials, t => Assert.Equal(LshFamily.BitSampling, t.Model.Family));
    }

    [Fact]
    public void The_default_grid_fits_the_metric()
    {
        Assert.All(LshTuner.DefaultModels(Metric.Cosine, 32, 100_000, 0.3), m => Assert.Equal(LshFamily.RandomHyperplanes, m.Family));
        Assert.All(LshTuner.DefaultModels(Metric.Hamming, 64, 100_000, 5), m => Assert.Equal(LshFamily.BitSampling, m.Family));
        var l2 = LshTuner.DefaultModels(Metric.Euclidean, 25, 100_000, 1.5);
        Assert.Contains(l2, m => m.Family == LshFamily.StableDistribution);
        Assert.Contains(l2, m => m.Family == LshFamily.BisectingHyperplanes);
    }

    [Fact]
    public void At_high_dimensions_the_cosine_grid_adds_sign_codes_of_one_and_two_bits_per_dimension()
    {
        var models = LshTuner.DefaultModels(Metric.Cosine, 768, 100_000, 0.3);
        Assert.Equal([768, 1536], models.Where(m => m.Family == LshFamily.SignCodes).Select(m => m.Tables * m.BitsPerTable).ToArray());
        Assert.Contains(models, m => m.Family == LshFamily.RandomHyperplanes);
        // Capped at the longest code a model takes (2,040 bits).
        Assert.Equal([1536, 2040], LshTuner.DefaultModels(Metric.DotProduct, 1536, 100_000, 0.3).Where(m => m.Family == LshFamily.SignCodes).Select(m => m.Tables * m.BitsPerTable).ToArray());
        Assert.DoesNotContain(LshTuner.DefaultModels(Metric.Euclidean, 768, 100_000, 1.5), m => m.Family == LshFamily.SignCodes);
    }

    [Fact]
    public void On_high_dimensional_cosine_data_the_tuner_measures_sign_codes_and_meets_the_target()
    {
        const int dims = 128, n = 4000;
        float[] data = Clustered.Vectors(31, n, dims, clusters: 20, noise: 0.7);
        var tuning = LshTuner.Tune(new ReadOnlySpan2D<float>(data, n, dims), Metric.Cosine, new LshTuningOptions
        {
            K = 10,
            TargetRecall = 0.9,
            Queries = 60,
            Models = [IndexModel.RandomHyperplanes(8, 8), .. LshTuner.SignCodeBits(dims).Select(b => IndexModel.SignCodes(b))],
            CandidateCounts = [100, 400],
        });
        Assert.Contains(tuning.Trials, t => t.Model.Family == LshFamily.SignCodes);
        LshTrial best = Assert.IsType<LshTrial>(tuning.Best);
        Assert.True(best.Recall >= 0.9, $"best recall {best.Recall:F3}");
        // Sign codes at 400 candidates reach the target on this data (recall measured against brute force).
        Assert.Contains(tuning.Trials, t => t.Model.Family == LshFamily.SignCodes && t.Candidates == 400 && t.Recall >= 0.9);
    }

    [Fact]
    public void Too_small_a_sample_is_refused_with_a_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => LshTuner.Tune(new ReadOnlySpan2D<float>(new float[50 * Dims], 50, Dims), Metric.Euclidean));
        Assert.Contains("Queries", e.Message);
        Assert.Throws<ArgumentException>(() => LshTuner.Tune(new ReadOnlySpan2D<float>(new float[500 * Dims], 500, Dims), Metric.Hamming));
    }

    private sealed class Progress(List<LshTuningProgress> into) : IProgress<LshTuningProgress>
    {
        public void Report(LshTuningProgress value) => into.Add(value);
    }
}
