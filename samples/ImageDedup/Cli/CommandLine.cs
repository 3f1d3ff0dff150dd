using System.Globalization;
using ImageDedup.Hashing;

namespace ImageDedup.Cli;

/// <summary>The parsed command line.</summary>
public sealed class CommandLine
{
    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public const string Usage = """
        Finds near-duplicate photos in a folder (recursively) by their perceptual hashes.

        Usage: ImageDedup <folder> [options]
               dotnet run -c Release --project samples/ImageDedup -- <folder> [options]

        Options:
          --hash pdq|phash      Perceptual hash (default: pdq).
          --radius N            Largest Hamming distance that joins two images
                                (default: 31 for pdq, out of 256 bits; 8 for phash, out of 64).
          --index DIR           Cache folder for the hashes, one index per hash kind inside
                                (default: a folder per scanned folder under ~/.cache/aknn-imagededup,
                                %LOCALAPPDATA%\aknn-imagededup on Windows).
          --json FILE           Also write the groups to FILE as JSON.
          --html FILE           Also write a self-contained HTML page with thumbnails of every group.
          --move-duplicates DIR List the moves that put every non-keeper into DIR (keeping its
                                path relative to the folder); with --yes, do them. Never deletes,
                                never overwrites. DIR must lie outside the scanned folder.
          --yes                 Carry out --move-duplicates.
          --include-low-quality Let PDQ hashes of quality below 50 (flat or tiny pictures) link
                                images; by default they are flagged and link nothing.
          --no-crops            Hash the full frame only (crops of up to 10% are then missed).
          --full-resolution     Decode JPEGs at full size instead of scaled down (slower; PDQ moves
                                by a few bits, see the README).
          --quiet               No progress and no per-file warnings; groups and summary only.
          -h, --help            Show this help.

        Images are decoded in-process (JPEG, PNG, WebP, GIF, BMP). A rescan hashes only new and
        changed files. In each group the keeper (most pixels, then largest file, then oldest)
        comes first, marked with *.
        Exit codes: 0 done, 1 error, 2 bad command line, 130 cancelled (Ctrl+C).
        """;

    /// <summary>The folder to scan.</summary>
    public string Folder { get; private init; } = "";

    /// <summary>The hash kind.</summary>
    public HashKind Hash { get; private init; } = HashKind.Pdq;

    /// <summary>The radius, or null for the hash's default.</summary>
    public int? Radius { get; private init; }

    /// <summary>The cache folder, or null for the default.</summary>
    public string? IndexRoot { get; private init; }

    /// <summary>Where to write the JSON report, or null for none.</summary>
    public string? JsonPath { get; private init; }

    /// <summary>Where to write the HTML report, or null for none.</summary>
    public string? HtmlPath { get; private init; }

    /// <summary>The folder that non-keepers are moved into, or null for no moving.</summary>
    public string? MoveDuplicatesTo { get; private init; }

    /// <summary>Whether the moves are carried out (otherwise only listed).</summary>
    public bool Yes { get; private init; }

    /// <summary>Whether low-quality PDQ hashes may link images.</summary>
    public bool IncludeLowQuality { get; private init; }

    /// <summary>Whether crop hashes are computed.</summary>
    public bool Crops { get; private init; } = true;

    /// <summary>Whether JPEGs are decoded at full resolution.</summary>
    public bool FullResolution { get; private init; }

    /// <summary>Whether progress and warnings are suppressed.</summary>
    public bool Quiet { get; private init; }

    /// <summary>Whether help was asked for (nothing else is then done).</summary>
    public bool ShowHelp { get; private init; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <exception cref="UsageException">The arguments are wrong; the message says how.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? folder = null, index = null, json = null, html = null, move = null;
        HashKind hash = HashKind.Pdq;
        int? radius = null;
        bool quiet = false, yes = false, lowQuality = false, crops = true, fullResolution = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    return new CommandLine { ShowHelp = true };
                case "--hash":
                    string name = Value(args, ref i);
                    if (!HashKinds.TryParse(name, out hash))
                        throw new UsageException($"Unknown hash '{name}'; use --hash pdq or --hash phash.");
                    break;
                case "--radius":
                    string text = Value(args, ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int r))
                        throw new UsageException($"--radius takes a whole number of bits, not '{text}'.");
                    radius = r;
                    break;
                case "--index":
                    index = Value(args, ref i);
                    break;
                case "--json":
                    json = Value(args, ref i);
                    break;
                case "--html":
                    html = Value(args, ref i);
                    break;
                case "--move-duplicates":
                    move = Value(args, ref i);
                    break;
                case "--yes":
                    yes = true;
                    break;
                case "--include-low-quality":
                    lowQuality = true;
                    break;
                case "--no-crops":
                    crops = false;
                    break;
                case "--full-resolution":
                    fullResolution = true;
                    break;
                case "--quiet" or "-q":
                    quiet = true;
                    break;
                case "--":
                    // Everything after "--" is a folder name, even if it starts with a dash.
                    for (i++; i < args.Count; i++) folder = OneFolder(folder, args[i]);
                    break;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1)
                        throw new UsageException($"Unknown option '{arg}'.");
                    folder = OneFolder(folder, arg);
                    break;
            }
        }
        if (folder is null) throw new UsageException("Name the folder to scan.");
        if (yes && move is null) throw new UsageException("--yes confirms --move-duplicates DIR; give the folder to move the duplicates into.");
        if (radius is int given && given > hash.Bits())
            throw new UsageException($"--radius {given} is larger than the {hash.Bits()} bits of a {hash.Name()} hash.");
        return new CommandLine
        {
            Folder = folder,
            Hash = hash,
            Radius = radius,
            IndexRoot = index,
            JsonPath = json,
            HtmlPath = html,
            MoveDuplicatesTo = move,
            Yes = yes,
            IncludeLowQuality = lowQuality,
            Crops = crops,
            FullResolution = fullResolution,
            Quiet = quiet,
        };
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        string option = args[i];
        if (i + 1 >= args.Count || args[i + 1].Length == 0)
            throw new UsageException($"{option} needs a value.");
        return args[++i];
    }

    private static string OneFolder(string? already, string arg) =>
        already is null ? arg : throw new UsageException($"Give one folder to scan, not both '{already}' and '{arg}'.");
}

/// <summary>The command line is wrong; the message says how, and the program exits with code 2.</summary>
/// <param name="message">What is wrong.</param>
public sealed class UsageException(string message) : Exception(message);
