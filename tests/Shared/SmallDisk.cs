using System.Diagnostics;

namespace Lookout.Tests.Shared;

/// <summary>
/// A real, small disk for "the disk is full" tests: a tmpfs of a given size mounted on a fresh temporary folder, so
/// writes fail with the kernel's own ENOSPC exactly where a user's full disk would make them fail. Needs the right to
/// mount (root, as the suite runs in CI and on the build box); <see cref="SmallDiskFactAttribute"/> skips otherwise.
/// Growing it (<see cref="Resize"/>) is "the user freed some space".
/// </summary>
public sealed class SmallDisk : IDisposable
{
    public string Path { get; }

    public SmallDisk(long bytes)
    {
        Path = Directory.CreateTempSubdirectory("lookout-smalldisk-").FullName;
        Mount($"size={bytes}");
    }

    /// <summary>Grows (or shrinks) the disk in place; files stay.</summary>
    public void Resize(long bytes) => Mount($"remount,size={bytes}");

    /// <summary>Fills what is left with one file (deleting it frees the space again).</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler.bin");
        using var stream = new FileStream(filler, FileMode.Create);
        var block = new byte[64 * 1024];
        try { while (true) stream.Write(block); }
        catch (IOException) { }
        return filler;
    }

    private void Mount(string options)
    {
        var result = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", Path);
        if (result is not null) throw new InvalidOperationException($"mount -o {options} failed: {result}");
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    /// <summary>Null when the command succeeded, else what it said.</summary>
    private static string? Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"exit {p.ExitCode}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e) { return e.Message; }
    }

    /// <summary>Why small disks cannot be made here, or null when they can (tried once per test run).</summary>
    internal static string? Unavailable => LazyUnavailable.Value;

    private static readonly Lazy<string?> LazyUnavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts are Linux only";
        try
        {
            using var probe = new SmallDisk(1024 * 1024);
            return null;
        }
        catch (InvalidOperationException e) { return e.Message; }
    });
}

/// <summary>A test that needs <see cref="SmallDisk"/>: skipped, with the reason, where tmpfs cannot be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.Unavailable is { } why) Skip = $"needs the right to mount a small tmpfs ({why})";
    }
}
