using Lookout.Core.Imaging;

namespace Lookout.Core.Video;

/// <summary>
/// (contract) One decoded video frame: <see cref="Seq"/> counts frames the reader emitted (0-based),
/// <see cref="Time"/> is the position in the source (from the start of the stream).
/// </summary>
public sealed record Frame(long Seq, TimeSpan Time, RgbImage Pixels);
