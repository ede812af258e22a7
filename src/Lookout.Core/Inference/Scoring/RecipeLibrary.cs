namespace Lookout.Core.Inference.Scoring;

/// <summary>
/// Finds a recipe by file path or by name: <c>&lt;name&gt;.yaml</c> in the workspace's <c>recipes/</c> folder, else a
/// built-in one (<c>home-office</c>). Names are plain words so a name from an HTTP form can never reach other files.
/// </summary>
public static class RecipeLibrary
{
    /// <summary>The home-office scorer: plants, a laptop, a chair, a screen, a lamp-free desk is fine.</summary>
    public const string HomeOffice = """
        name: home office
        min_score: 0.4
        points:
          plant: 2 each up to 3      # COCO's "potted plant"
          laptop: 1 each up to 1
          chair: 1 each up to 1
          monitor: { each: 1, up_to: 2, labels: [tv] }
          book: 0.5 each up to 4
          cup: -0.5 each up to 4     # mugs piling up
        verdicts:
          - { min: 6, say: tidy and green }
          - { min: 3, say: a good start }
          - { say: add a plant }
        """;

    public static IReadOnlyDictionary<string, string> BuiltIn { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["home-office"] = HomeOffice,
    };

    public static bool IsName(string s) => s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A recipe file (.yaml/.yml path), or a name looked up in <paramref name="recipesDir"/> then the built-ins.</summary>
    public static ScoreRecipe Find(string pathOrName, string? recipesDir)
    {
        if (File.Exists(pathOrName)) return ScoreRecipeParser.Load(pathOrName);
        if (!IsName(pathOrName)) throw new LookoutException($"recipe '{pathOrName}' not found (give a .yaml file or a recipe name: letters, digits, '-', '_')");
        if (recipesDir is not null)
            foreach (var ext in new[] { ".yaml", ".yml" })
            {
                var file = Path.Combine(recipesDir, pathOrName + ext);
                if (File.Exists(file)) return ScoreRecipeParser.Load(file);
            }
        if (BuiltIn.TryGetValue(pathOrName, out var text)) return ScoreRecipeParser.Parse(text, pathOrName, pathOrName);
        throw new RecipeNotFoundException($"no recipe named '{pathOrName}'" + (recipesDir is null ? "" : $" in {recipesDir}") + $"; built in: {string.Join(", ", BuiltIn.Keys)}");
    }
}

/// <summary>A recipe name that names nothing (an HTTP 404, not a bad recipe).</summary>
public sealed class RecipeNotFoundException(string message) : LookoutException(message);
