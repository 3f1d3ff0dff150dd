using System.Globalization;
using System.Text;

namespace Aknn.Perf;

/// <summary>One measured system and configuration: printed as a RESULT line and as a table row.</summary>
internal sealed class ResultRow(string system, string workload, long n, int dim)
{
    private readonly List<(string Key, string Value)> _fields = [];

    public string System { get; } = system;
    public string Workload { get; } = workload;
    public long N { get; } = n;
    public int Dim { get; } = dim;
    public IReadOnlyList<(string Key, string Value)> Fields => _fields;

    public ResultRow Add(string key, double value)
    {
        _fields.Add((key, Format(value)));
        return this;
    }

    public ResultRow Add(string key, long value)
    {
        _fields.Add((key, value.ToString(CultureInfo.InvariantCulture)));
        return this;
    }

    public ResultRow Add(string key, string value)
    {
        _fields.Add((key, value.Replace(' ', '_')));
        return this;
    }

    /// <summary>Adds a value when there is one.</summary>
    public ResultRow AddIf(string key, double? value) => value is { } v ? Add(key, v) : this;

    public string? Get(string key) => _fields.LastOrDefault(f => f.Key == key).Value;

    /// <summary>The machine-readable line: <c>RESULT system=… workload=… n=… dim=… key=value …</c>.</summary>
    public string Line()
    {
        var sb = new StringBuilder();
        sb.Append("RESULT system=").Append(System).Append(" workload=").Append(Workload);
        // The reliability workloads have no data size: their lines leave n and dim out.
        if (N != 0 || Dim != 0)
            sb.Append(" n=").Append(N.ToString(CultureInfo.InvariantCulture)).Append(" dim=").Append(Dim.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in _fields) sb.Append(' ').Append(k).Append('=').Append(v);
        return sb.ToString();
    }

    /// <summary>Parses a RESULT line printed by a peer; null for any other line.</summary>
    public static ResultRow? TryParse(string line)
    {
        if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) return null;
        var pairs = new List<(string, string)>();
        foreach (string token in line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) pairs.Add((token[..eq], token[(eq + 1)..]));
        }
        string Take(string key) => pairs.FirstOrDefault(p => p.Item1 == key).Item2 ?? "";
        long.TryParse(Take("n"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n);
        int.TryParse(Take("dim"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int dim);
        var row = new ResultRow(Take("system"), Take("workload"), n, dim);
        foreach (var (k, v) in pairs)
            if (k is not ("system" or "workload" or "n" or "dim")) row._fields.Add((k, v));
        return row;
    }

    public double? Number(string key) =>
        double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <summary>Four significant digits at most, no exponent for ordinary magnitudes.</summary>
    public static string Format(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v)) return "nan";
        double a = Math.Abs(v);
        string f = a >= 1000 ? "F0" : a >= 100 ? "F1" : a >= 10 ? "F2" : a >= 1 ? "F3" : a == 0 ? "F0" : a >= 0.001 ? "G4" : "E3";
        return v.ToString(f, CultureInfo.InvariantCulture);
    }
}

/// <summary>Prints each result as it comes and a readable table per workload at the end.</summary>
internal sealed class ResultPrinter
{
    private readonly List<ResultRow> _rows = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public ResultRow Emit(ResultRow row)
    {
        _rows.Add(row);
        Console.WriteLine(row.Line());
        return row;
    }

    /// <summary>Prints a peer's RESULT line as it came and keeps it for the tables.</summary>
    public ResultRow? Relay(string line)
    {
        var row = ResultRow.TryParse(line);
        if (row is null) return null;
        _rows.Add(row);
        Console.WriteLine(line);
        return row;
    }

    public static void Note(string text) => Console.WriteLine("  " + text);

    public void PrintTables()
    {
        foreach (var group in _rows.GroupBy(r => r.Workload))
        {
            var keys = new List<string>();
            foreach (var r in group)
                foreach (var (k, _) in r.Fields)
                    if (!keys.Contains(k)) keys.Add(k);
            var header = new List<string> { "system", "n", "dim" };
            header.AddRange(keys);
            var lines = new List<string[]> { header.ToArray() };
            foreach (var r in group)
            {
                var cells = new List<string> { r.System, r.N.ToString("N0", CultureInfo.InvariantCulture), r.Dim.ToString(CultureInfo.InvariantCulture) };
                foreach (string k in keys) cells.Add(r.Get(k) ?? "");
                lines.Add(cells.ToArray());
            }
            int[] width = new int[header.Count];
            foreach (var l in lines)
                for (int c = 0; c < l.Length; c++) width[c] = Math.Max(width[c], l[c].Length);
            Console.WriteLine();
            Console.WriteLine($"== {group.Key} ==");
            for (int i = 0; i < lines.Count; i++)
            {
                Console.WriteLine(string.Join("  ", lines[i].Select((cell, c) => c < 3 ? cell.PadRight(width[c]) : cell.PadLeft(width[c]))).TrimEnd());
                if (i == 0) Console.WriteLine(string.Join("  ", width.Select(w => new string('-', w))));
            }
        }
    }
}
