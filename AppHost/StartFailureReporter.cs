using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RealtimeAspire.AppHost;

/// <summary>
/// Reports a process that exits, or stays unhealthy past <see cref="StartupOptions.HealthyWithin"/>, before it was
/// first healthy: one console line <c>RealtimeAspire: &lt;resource&gt; failed: &lt;cause&gt;</c>, the cause being the
/// error it logged last. Otherwise only the dashboard would show it, while the resources waiting for it wait forever.
/// </summary>
public sealed partial class StartFailureReporter(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    IOptions<StartupOptions> options,
    TimeProvider timeProvider)
{
    public const string LinePrefix = "RealtimeAspire: ";

    private const int KeptLines = 200;

    private static readonly HashSet<string> StoppedStates =
        [KnownResourceStates.Exited, KnownResourceStates.FailedToStart, KnownResourceStates.Finished];

    private readonly ConcurrentDictionary<string, Start> _starts = new();

    /// <summary>
    /// Watches from before the first resource starts. Not a hosted service: the host starts those one after the
    /// other, and the orchestrator's start returns only once every resource it waits on has started.
    /// </summary>
    public void Begin() => _ = Task.Run(() => WatchAsync(lifetime.ApplicationStopping));

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                Observe(update, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost stops.
        }
    }

    private void Observe(ResourceEvent update, CancellationToken stoppingToken)
    {
        if (update.Resource is not (ProjectResource or ExecutableResource or ContainerResource))
        {
            return;
        }

        var start = _starts.GetOrAdd(update.ResourceId, id => Track(id, update.Resource.Name, stoppingToken));
        if (start.Settled)
        {
            return;
        }

        var state = update.Snapshot.State?.Text;
        if (state == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
        {
            start.Settle();
        }
        else if (state is not null && StoppedStates.Contains(state) && !stoppingToken.IsCancellationRequested)
        {
            var exitCode = update.Snapshot.ExitCode is { } code and not 0 ? $" (exit code {code})" : "";
            Report(start, $"{start.Cause()}{exitCode}");
        }
        else if (state == KnownResourceStates.Running && !start.Running)
        {
            start.Running = true;
            _ = ReportIfStillUnhealthyAsync(start, stoppingToken);
        }
    }

    private Start Track(string resourceId, string name, CancellationToken stoppingToken)
    {
        var start = new Start(name, CancellationTokenSource.CreateLinkedTokenSource(stoppingToken));
        _ = CaptureLogsAsync(resourceId, start);
        return start;
    }

    private async Task CaptureLogsAsync(string resourceId, Start start)
    {
        try
        {
            await foreach (var batch in resourceLogs.WatchAsync(resourceId).WithCancellation(start.Capture.Token))
            {
                start.Keep(batch);
            }
        }
        catch (OperationCanceledException)
        {
            // Settled, reported or the AppHost stops.
        }
    }

    private async Task ReportIfStillUnhealthyAsync(Start start, CancellationToken stoppingToken)
    {
        var bound = options.Value.HealthyWithin;
        try
        {
            await Task.Delay(bound, timeProvider, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Report(start, $"not healthy {bound.TotalSeconds:0} s after it started; it logged last: {start.Cause()}");
    }

    private void Report(Start start, string cause)
    {
        if (!start.Settle())
        {
            return;
        }

        // One plain line on the console, which is all that start.sh and `aspire run` show of the AppHost.
        Console.Error.WriteLine($"{LinePrefix}{start.Name} failed: {cause}");
        if (options.Value.ExitOnFailure)
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>One resource's first start: its recent log lines, until it is healthy or reported.</summary>
    private sealed partial class Start(string name, CancellationTokenSource capture)
    {
        private readonly Queue<LogLine> _lines = new();
        private int _settled;

        public string Name => name;

        public CancellationTokenSource Capture => capture;

        public bool Running { get; set; }

        public bool Settled => Volatile.Read(ref _settled) == 1;

        /// <summary>Ends the watch; true for the one caller that ended it.</summary>
        public bool Settle()
        {
            if (Interlocked.Exchange(ref _settled, 1) == 1)
            {
                return false;
            }

            capture.Cancel();
            return true;
        }

        public void Keep(IReadOnlyList<LogLine> batch)
        {
            lock (_lines)
            {
                foreach (var line in batch)
                {
                    _lines.Enqueue(line);
                    if (_lines.Count > KeptLines)
                    {
                        _lines.Dequeue();
                    }
                }
            }
        }

        /// <summary>
        /// What it logged as fatal: the exception of its last critical log entry (a host that stops, Kestrel that
        /// cannot bind), else an unhandled exception, else a line of a fatal severity (PostgreSQL's FATAL), else its
        /// last error output, else its last line. Not simply the last exception: shutting down logs some of its own.
        /// </summary>
        public string Cause()
        {
            List<(string Text, bool IsError)> lines;
            lock (_lines)
            {
                lines = _lines.Select(line => (Text: Timestamp().Replace(Ansi().Replace(line.Content, ""), "").Trim(), line.IsErrorMessage))
                    .Where(line => line.Text.Length > 0 && !line.Text.StartsWith("at ", StringComparison.Ordinal))
                    .ToList();
            }

            var critical = lines.FindLastIndex(line => line.Text.StartsWith("crit: ", StringComparison.Ordinal));
            var criticalEntry = critical < 0 ? [] : lines.Skip(critical + 1).TakeWhile(line => !LevelHeader().IsMatch(line.Text)).ToList();
            var cause = criticalEntry.Select(line => ExceptionLine().Match(line.Text)).FirstOrDefault(match => match.Success)?.Groups["message"].Value
                ?? criticalEntry.FirstOrDefault().Text
                ?? lines.Select(line => ExceptionLine().Match(line.Text)).LastOrDefault(match => match.Success && match.Groups["unhandled"].Success)?.Groups["message"].Value
                ?? lines.LastOrDefault(line => SeverityWord().IsMatch(line.Text)).Text
                ?? lines.LastOrDefault(line => line.IsError).Text
                ?? lines.LastOrDefault().Text;
            return cause ?? "it logged nothing";
        }

        [GeneratedRegex(@"\x1b\[[0-9;]*m")]
        private static partial Regex Ansi();

        [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): ")]
        private static partial Regex LevelHeader();

        [GeneratedRegex(@"^\d{4}-\d\d-\d\dT[\d:.]+Z? ")]
        private static partial Regex Timestamp();

        // "System.InvalidOperationException: …" or "Unhandled exception. System.IO.IOException: …", not an inner "---> …".
        [GeneratedRegex(@"^(?<unhandled>Unhandled exception\. )?(?<message>[\w.]+(Exception|Error): .+)$")]
        private static partial Regex ExceptionLine();

        // PostgreSQL's "FATAL:  …" and the like, rather than the HINT that follows.
        [GeneratedRegex(@"\b(FATAL|PANIC|ERROR|Fatal error|fatal error)\b")]
        private static partial Regex SeverityWord();
    }
}

public static class StartFailureReporterExtensions
{
    /// <summary>Adds the <see cref="StartFailureReporter"/>, with its settings from the section <c>Startup</c>.</summary>
    public static IDistributedApplicationBuilder AddStartFailureReports(this IDistributedApplicationBuilder builder)
    {
        // Under `aspire run` the CLI's terminal shows none of the AppHost's console, only that it exited and where
        // its log is: there a failed start stops the AppHost unless Startup:ExitOnFailure says otherwise.
        var launchedByAspireCli = builder.Configuration["ASPIRE_BACKCHANNEL_PATH"] is not null;
        builder.Services.AddOptions<StartupOptions>()
            .Configure(startup => startup.ExitOnFailure = launchedByAspireCli)
            .BindConfiguration(StartupOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StartFailureReporter>();
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<StartFailureReporter>().Begin();
            return Task.CompletedTask;
        });
        return builder;
    }
}
