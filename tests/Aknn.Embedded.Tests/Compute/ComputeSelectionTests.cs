using Aknn.Embedded.Compute;
using Aknn.Embedded.Compute.OpenCl;
using Aknn.Embedded.Tests.Support;
using CommunityToolkit.HighPerformance;

namespace Aknn.Embedded.Tests.Compute;

/// <summary>How the back end is chosen (option, AKNN_COMPUTE, size), and that its absence is never an error.</summary>
[Collection(OpenClCollection.Name)]
public class ComputeSelectionTests
{
    private static OpenClRuntime Missing() => OpenClRuntime.Discover(["libaknn-no-such-opencl.so.9"], null);

    [Fact]
    public void A_missing_library_is_reported_not_thrown()
    {
        OpenClRuntime rt = Missing();
        Assert.NotNull(rt.Unavailable);
        Assert.Contains("no OpenCL runtime", rt.Unavailable);
        Assert.Contains("libaknn-no-such-opencl.so.9", rt.Unavailable);
        Assert.Null(rt.DeviceName);
    }

    [Fact]
    public void Environment_cpu_overrides_auto_and_never_looks_for_a_device()
    {
        bool probed = false;
        var selector = new ComputeSelector(ComputeMode.Auto, " CPU ", () => { probed = true; return Missing(); });
        Assert.Equal(ComputeMode.Cpu, selector.Mode);
        Assert.Same(CpuBackend.Instance, selector.For(100_000_000, 512, 1000));
        ComputeDiagnostics d = selector.Diagnostics();
        Assert.False(probed);
        Assert.False(d.DeviceInUse);
        Assert.Contains("AKNN_COMPUTE=cpu", d.Reason);
    }

    [Fact]
    public void Environment_gpu_overrides_auto_and_a_missing_runtime_leaves_the_cpu_serving_with_the_reason()
    {
        var selector = new ComputeSelector(ComputeMode.Auto, "gpu", Missing);
        Assert.Equal(ComputeMode.Gpu, selector.Mode);
        Assert.Same(CpuBackend.Instance, selector.For(10, 8, 1));
        ComputeDiagnostics d = selector.Diagnostics();
        Assert.False(d.DeviceInUse);
        Assert.Contains("AKNN_COMPUTE=gpu", d.Reason);
        Assert.Contains("no OpenCL runtime", d.Reason);
    }

    [Fact]
    public void An_explicit_option_wins_over_the_environment()
    {
        var selector = new ComputeSelector(ComputeMode.Cpu, "gpu", Missing);
        Assert.Equal(ComputeMode.Cpu, selector.Mode);
        Assert.Contains("ComputeMode.Cpu", selector.Diagnostics().Reason);
    }

    [Fact]
    public void An_unknown_environment_value_is_ignored_and_named()
    {
        var selector = new ComputeSelector(ComputeMode.Auto, "cuda", Missing);
        Assert.Equal(ComputeMode.Auto, selector.Mode);
        Assert.Contains("'cuda'", selector.Diagnostics().Reason);
    }

    [Fact]
    public void Auto_leaves_small_batches_on_the_cpu_without_looking_for_a_device()
    {
        bool probed = false;
        var selector = new ComputeSelector(ComputeMode.Auto, null, () => { probed = true; return Missing(); });
        Assert.Same(CpuBackend.Instance, selector.For(100_000, 512, 4));   // 200 MB of compared data, below the threshold
        Assert.False(probed);
        Assert.Same(CpuBackend.Instance, selector.For(1_000_000, 512, 1000));
        Assert.True(probed);
    }

    [Fact]
    public void Batch_searches_without_an_opencl_runtime_run_on_the_cpu_and_match_per_query_search()
    {
        using var t = new TempFolder();
        const int dim = 10;
        var (index, flat) = DeviceBatchTests.FloatIndex(t, Metric.Cosine, dim, 1500, seed: 21, mode: ComputeMode.Gpu);
        using var _ = index;
        index.ComputeSelector = new ComputeSelector(ComputeMode.Gpu, null, Missing);
        var batch = index.SearchBatch(new ReadOnlySpan2D<float>(flat, 6, dim));
        for (int q = 0; q < 6; q++) DeviceBatchTests.AssertSame(index.Search(flat.AsSpan(q * dim, dim)), batch[q], $"query {q}");
        ComputeDiagnostics d = index.GetComputeDiagnostics();
        Assert.False(d.DeviceInUse);
        Assert.Contains("libaknn-no-such-opencl.so.9", d.Reason);
        Assert.Equal(0, d.DeviceScans);
    }

    [Fact]
    public void Cpu_mode_batches_match_per_query_search_for_every_form()
    {
        using var t = new TempFolder();
        const int dim = 9;
        var (index, flat) = DeviceBatchTests.FloatIndex(t, Metric.Manhattan, dim, 1500, seed: 22, mode: ComputeMode.Cpu);
        using var _ = index;
        var options = new SearchOptions { K = 7, IncludePayload = true };
        var batch = index.SearchBatch(new ReadOnlySpan2D<float>(flat, 5, dim), options);
        var radius = index.SearchRadiusBatch(new ReadOnlySpan2D<float>(flat, 5, dim), 2.5f, options);
        for (int q = 0; q < 5; q++)
        {
            DeviceBatchTests.AssertSame(index.Search(flat.AsSpan(q * dim, dim), options), batch[q], $"nearest {q}");
            DeviceBatchTests.AssertSame(index.SearchRadius(flat.AsSpan(q * dim, dim), 2.5f, options), radius[q], $"radius {q}");
        }
        Assert.Equal(ComputeMode.Cpu, index.GetComputeDiagnostics().Mode);
    }

    [Fact]
    public void Batch_input_errors_name_the_problem()
    {
        using var t = new TempFolder();
        using var index = VectorIndex.Create(t.Index(), new IndexOptions { Dimensions = 4, Metric = Metric.Euclidean, Compute = ComputeMode.Cpu });
        index.Upsert("a", [1, 2, 3, 4]);
        Assert.Throws<DimensionMismatchException>(() => index.SearchBatch(new ReadOnlySpan2D<float>(new float[6], 2, 3)));
        var bad = new float[8];
        bad[6] = float.NaN;
        var e = Assert.Throws<InvalidVectorException>(() => index.SearchBatch(new ReadOnlySpan2D<float>(bad, 2, 4)));
        Assert.Contains("row 1", e.Message);
        Assert.Throws<InvalidVectorException>(() => index.SearchCodeBatch(new ReadOnlySpan2D<ulong>(new ulong[2], 2, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchRadiusBatch(new ReadOnlySpan2D<float>(new float[4], 1, 4), float.NaN));
        Assert.Empty(index.SearchBatch(new ReadOnlySpan2D<float>(new float[0], 0, 4)));
    }

    [OpenClFact]
    public void Auto_uses_an_opencl_device_only_if_it_is_a_gpu()
    {
        var selector = new ComputeSelector(ComputeMode.Auto, null, () => OpenClRuntime.Shared);
        ComputeDiagnostics d = selector.Diagnostics();
        Assert.NotNull(d.DeviceName);
        Assert.Equal(d.DeviceIsGpu, d.DeviceInUse);
        if (!d.DeviceIsGpu) Assert.Contains("is a CPU", d.Reason);
    }

    [OpenClFact]
    public void A_device_name_that_matches_nothing_is_reported()
    {
        OpenClRuntime rt = OpenClRuntime.Discover(OpenClNative.DefaultNames(), "no-such-device-xyz");
        Assert.Contains("no OpenCL device", rt.Unavailable);
        Assert.Contains("no-such-device-xyz", rt.Unavailable);
    }

    [OpenClFact]
    public void Gpu_mode_names_the_device()
    {
        using var t = new TempFolder();
        using var index = VectorIndex.Create(t.Index(), new IndexOptions { Dimensions = 64, Metric = Metric.Hamming, Compute = ComputeMode.Gpu });
        ComputeDiagnostics d = index.GetComputeDiagnostics();
        Assert.True(d.DeviceInUse, d.Reason);
        Assert.Equal(OpenClRuntime.Shared.DeviceName, d.DeviceName);
        Assert.Equal(ComputeMode.Gpu, d.Mode);
    }
}
