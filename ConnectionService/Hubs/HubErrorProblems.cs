using Microsoft.AspNetCore.Http.Features;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// SignalR answers its own HTTP errors in text/plain ("No Connection with that ID", "Connection ID required", an
/// empty 405); the contract says every error is a problem. For /hub requests that are not WebSocket upgrades, such an
/// answer is held back and replaced by the problem of its status, with SignalR's sentence as the detail.
/// </summary>
public static class HubErrorProblems
{
    public static IApplicationBuilder UseHubErrorProblems(this IApplicationBuilder app, PathString path) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(path) && !ProblemResponsesExtensions.IsWebSocketRequest(context),
            branch => branch.Use(ReplacePlainTextErrorAsync));

    private static async Task ReplacePlainTextErrorAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var guard = new PlainTextErrorStream(context.Response, original.Stream);
        var guarded = new StreamResponseBodyFeature(guard, original);
        context.Features.Set<IHttpResponseBodyFeature>(guarded);
        try
        {
            await next(context);
            await guarded.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && (guard.HeldBack is not null || PlainTextErrorStream.IsPlainText(response)))
        {
            response.ContentType = null;
            response.ContentLength = null;
            await ProblemResponsesExtensions.TryWriteProblemAsync(context, response.StatusCode,
                detail: string.IsNullOrWhiteSpace(guard.HeldBack) ? null : guard.HeldBack);
        }
    }

    /// <summary>Passes writes through, unless the first write or flush is of a text/plain error: that text is kept (up to 256 characters) instead.</summary>
    private sealed class PlainTextErrorStream(HttpResponse response, Stream inner) : Stream
    {
        private const int MaxHeldBack = 256;
        private bool _decided;
        private System.Text.StringBuilder? _heldBack;

        public string? HeldBack => _heldBack?.ToString();

        public static bool IsPlainText(HttpResponse response) =>
            response.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) is true;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Decide() is null)
            {
                return inner.WriteAsync(buffer, cancellationToken);
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer.Span);
            _heldBack!.Append(text.AsSpan(0, Math.Min(text.Length, Math.Max(0, MaxHeldBack - _heldBack.Length))));
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
            if (Decide() is null)
            {
                inner.Flush();
            }
        }

        // Starting the response flushes first (HttpResponse.WriteAsync starts it before writing): decided here too.
        public override Task FlushAsync(CancellationToken cancellationToken) =>
            Decide() is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        private System.Text.StringBuilder? Decide()
        {
            if (!_decided)
            {
                _decided = true;
                _heldBack = response.StatusCode >= 400 && IsPlainText(response) ? new() : null;
            }

            return _heldBack;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
