using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// The JSON sent by the webhook and MQTT actions, shaped like Frigate's <c>frigate/events</c> message
/// (<c>{"type":"new","after":{...}}</c>) so existing Home Assistant automations need few changes.
/// </summary>
public static class EventPayload
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static byte[] Serialize(AlertEvent e) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        type = "new",
        after = new
        {
            id = e.Id,
            camera = e.Camera,
            label = e.Label,
            score = Math.Round(e.Score, 4),
            top_score = Math.Round(e.TopScore, 4),
            rule = e.Rule,
            start_time = Math.Round(e.Time.ToUnixTimeMilliseconds() / 1000.0, 3),
            time = e.Time.UtcDateTime.ToString("O"),
            frame_time = Math.Round(e.FrameTime.TotalSeconds, 3),
            box = e.Box is { } b ? new[] { b.X1, b.Y1, b.X2, b.Y2 } : null,
            has_snapshot = e.SnapshotPath is not null,
            snapshot = e.SnapshotPath,
        },
    }, Json);
}
