using System.Net.Http.Headers;
using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Watch.Alerts.Actions;

/// <summary>POSTs the event JSON to a URL; one attempt with a timeout.</summary>
public sealed class WebhookNotifier(WebhookActionConfig config, HttpMessageHandler? handler = null) : IAlertNotifier
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = config.Timeout,
    };

    public string Name => ActionsConfig.WebhookName;

    public async Task<ActionOutcome> NotifyAsync(AlertEvent alert, CancellationToken ct)
    {
        using var content = new ByteArrayContent(EventPayload.Serialize(alert));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await _http.PostAsync(config.Url, content, ct).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? new ActionOutcome(Name, true, $"{(int)response.StatusCode}")
                : new ActionOutcome(Name, false, $"{config.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ActionOutcome(Name, false, $"{config.Url} did not answer within {config.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new ActionOutcome(Name, false, $"{config.Url}: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
