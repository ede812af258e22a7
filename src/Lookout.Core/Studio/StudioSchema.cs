using Lookout.Core.Datasets;

namespace Lookout.Core.Studio;

/// <summary>
/// The studio's own tables, kept in catalog.db beside <c>items</c> so one transaction covers a label change and
/// everything that hangs off it. Keyed by content hash where the fact is about the pixels (sharpness, suggestions).
/// </summary>
internal static class StudioSchema
{
    public static void Ensure(Catalog catalog)
    {
        MoveJournal.Ensure(catalog);
        catalog.Exec("""
            CREATE TABLE IF NOT EXISTS studio_media(
                sha TEXT PRIMARY KEY, sharpness REAL NOT NULL, contrast REAL NOT NULL, dhash INTEGER NOT NULL,
                thumb_w INTEGER NOT NULL, thumb_h INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS studio_suggestions(
                run TEXT NOT NULL, sha TEXT NOT NULL, label TEXT NOT NULL, score REAL NOT NULL,
                second TEXT, margin REAL NOT NULL, unknown INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(run, sha));
            CREATE TABLE IF NOT EXISTS studio_excluded_frames(path TEXT PRIMARY KEY, label TEXT, reason TEXT);
            CREATE TABLE IF NOT EXISTS studio_walkthroughs(
                id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, file TEXT NOT NULL, name TEXT NOT NULL,
                duration_ms INTEGER NOT NULL, created TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS studio_segments(
                id INTEGER PRIMARY KEY, walkthrough INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, label TEXT);
            CREATE TABLE IF NOT EXISTS studio_fixes(
                id INTEGER PRIMARY KEY, time TEXT NOT NULL, action TEXT NOT NULL, label TEXT, changes TEXT NOT NULL,
                undone INTEGER NOT NULL DEFAULT 0, run TEXT);
            CREATE TABLE IF NOT EXISTS studio_serving(
                id INTEGER PRIMARY KEY, time TEXT NOT NULL, name TEXT NOT NULL, run TEXT NOT NULL);
            """);
    }
}
