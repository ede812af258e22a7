using Lookout.Core.Video.Analysis;
using Lookout.Core.Video.Drawing;
using Lookout.Core.Inference;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Video;

public class DrawingTests
{
    [Fact]
    public void Text_DrawsTheGlyphPixels_AndClipsAtTheEdge()
    {
        var canvas = new Canvas(Scenes.Frame(40, 20));
        canvas.Text(1, 1, "1", 2, Rgb.White);
        canvas.Text(35, 15, "WWWW", 3, Rgb.White);            // runs off the image: clipped, no exception
        var img = canvas.ToImage();
        bool White(int x, int y) => img.Pixels[(y * 40 + x) * 3] == 255;
        // '1' has its vertical stroke in column 2 (rows 0-6): at scale 2 that is x = 1 + 4..5, y = 1..14.
        Assert.True(White(5, 1) && White(6, 14));
        Assert.False(White(1, 1));                            // column 0 of '1' is empty
        Assert.Equal(BitmapFont.Glyph('a').ToArray(), BitmapFont.Glyph('A').ToArray());
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('\u00e9').ToArray());
        Assert.Equal(29, BitmapFont.MeasureWidth("abcde", 1));
    }

    [Fact]
    public void Annotate_DrawsCaptionAndBoxes_WithoutTouchingTheSource()
    {
        var frame = Scenes.Frame(200, 120);
        var before = frame.Pixels.ToArray();
        var analysis = new FrameAnalysis([new Prediction("person", 0.9f)], [new Detection("cat", 0.7f, new BoxF(0.5f, 0.5f, 0.9f, 0.9f))], []);
        var annotated = FrameAnnotator.Annotate(frame, analysis);
        Assert.Equal(before, frame.Pixels);
        int i = (int)(0.9 * 120 - 1) * 200 * 3 + (int)(0.7 * 200) * 3;   // bottom edge of the box
        Assert.Equal((255, 220, 0), (annotated.Pixels[i], annotated.Pixels[i + 1], annotated.Pixels[i + 2]));
        Assert.Equal(0, annotated.Pixels[0]);                                // caption band at top-left
    }
}
