using Aknn.Embedded.CrashHelper;

namespace Aknn.Embedded.Tests.Reliability;

/// <summary>
/// The judge of the crash workload (perf/Aknn.Perf <c>crash</c>): a SIGKILL never loses what the
/// child handed to the kernel, so its real runs only ever see good states. These cases show that
/// it does report a lost durable write, a state no prefix explains, and accepts the legal losses.
/// </summary>
public class CrashHistoryTests
{
    private static Dictionary<string, bool> State(params string[] present)
    {
        var s = new Dictionary<string, bool>(StringComparer.Ordinal) { ["a"] = false, ["b"] = false, ["c"] = false, ["d"] = false };
        foreach (string id in present) s[id] = true;
        return s;
    }

    private static readonly string[] PerWriteLines =
    [
        "READY 0",
        "DO U a END", "ACK U a END",
        "DO B b,c END", "ACK B b,c END",
        "DO D a END", "ACK D a END True",
        "DO U d END", // killed here: the upsert of d may or may not have happened
    ];

    [Fact]
    public void Every_acknowledged_write_present_is_accepted_with_or_without_the_call_in_flight()
    {
        var h = CrashHistory.Parse(PerWriteLines, State(), everyAckDurable: true);
        Assert.Equal(3, h.DurableCalls);
        Assert.Equal("U", h.InFlight);
        Assert.Equal(0, h.Check(State("b", "c"), out string? without));
        Assert.Null(without);
        Assert.Equal(0, h.Check(State("b", "c", "d"), out string? with));
        Assert.Null(with);
    }

    [Fact]
    public void A_missing_durable_upsert_or_a_lost_durable_delete_is_counted_as_lost()
    {
        var h = CrashHistory.Parse(PerWriteLines, State(), everyAckDurable: true);
        Assert.Equal(1, h.Check(State("b"), out string? missing));
        Assert.Contains("'c' should be present", missing);
        Assert.Equal(1, h.Check(State("a", "b", "c"), out string? resurrected));
        Assert.Contains("'a' should be absent", resurrected);
    }

    [Fact]
    public void Without_a_commit_nothing_is_durable_but_the_state_must_still_be_a_prefix()
    {
        var h = CrashHistory.Parse(PerWriteLines, State(), everyAckDurable: false);
        Assert.Equal(0, h.DurableCalls);
        Assert.Equal(0, h.Check(State(), out _));          // everything lost: allowed
        Assert.Equal(0, h.Check(State("a", "b"), out string? halfBatch)); // a batch cut after its first row
        Assert.Null(halfBatch);
        Assert.Equal(0, h.Check(State("c"), out string? hole)); // c without b: no prefix gives that
        Assert.Contains("no prefix", hole);
    }

    [Fact]
    public void A_commit_makes_the_calls_before_it_durable()
    {
        string[] lines = ["READY 0", "DO U a END", "ACK U a END", "DO M - END", "ACK M - END", "DO U b END", "ACK U b END"];
        var h = CrashHistory.Parse(lines, State(), everyAckDurable: false);
        Assert.Equal(1, h.DurableCalls);
        Assert.Equal(0, h.Check(State("a"), out _));
        Assert.Equal(1, h.Check(State(), out string? lost));
        Assert.Contains("'a' should be present", lost);
    }

    [Fact]
    public void A_line_cut_short_by_the_kill_does_not_count_as_an_acknowledgement()
    {
        string[] lines = ["READY 0", "DO U a END", "ACK U a EN"];
        var h = CrashHistory.Parse(lines, State(), everyAckDurable: true);
        Assert.Equal(0, h.DurableCalls);
        Assert.Equal("U", h.InFlight);
        Assert.Equal(0, h.Check(State(), out _));
    }
}
