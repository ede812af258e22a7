using System.Security.Cryptography;

namespace Lookout.Core.Studio.Import;

/// <summary>
/// Bytes received from a client or a URL, written to a temp file in the workspace while being hashed and counted.
/// Nothing reaches the data folder until the whole stream arrived within the limit: a dropped upload or a killed
/// server leaves only a temp file, which the next start deletes.
/// </summary>
public sealed class ReceivedFile : IDisposable
{
    private ReceivedFile(string path, string sha, long length, byte[] head)
    {
        TempPath = path;
        Sha256 = sha;
        Length = length;
        Head = head;
    }

    public string TempPath { get; }
    public string Sha256 { get; }
    public long Length { get; }
    /// <summary>The first bytes, for sniffing.</summary>
    public byte[] Head { get; }

    public static async Task<ReceivedFile> ReceiveAsync(Stream source, string tempDir, long maxBytes, CancellationToken ct)
    {
        Directory.CreateDirectory(tempDir);
        var path = Path.Combine(tempDir, $"{Guid.NewGuid():N}.part");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[64];
        int headLength = 0;
        long total = 0;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > maxBytes) throw new StudioException($"larger than the limit of {maxBytes / 1024.0 / 1024.0:0.#} MB", StudioProblem.TooLarge);
                    if (headLength < head.Length)
                    {
                        int n = Math.Min(head.Length - headLength, read);
                        Array.Copy(buffer, 0, head, headLength, n);
                        headLength += n;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }
                await file.FlushAsync(ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            if (total == 0) throw new StudioException("empty file");
            return new ReceivedFile(path, Convert.ToHexStringLower(hash.GetHashAndReset()), total, head[..headLength]);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Deletes leftovers of uploads that never finished (called when a project is opened by the server).</summary>
    public static void CleanTemp(string tempDir)
    {
        if (!Directory.Exists(tempDir)) return;
        foreach (var f in Directory.EnumerateFiles(tempDir, "*.part"))
            try { File.Delete(f); } catch (IOException) { }
    }

    public void Dispose()
    {
        try { if (File.Exists(TempPath)) File.Delete(TempPath); } catch (IOException) { }
    }
}
