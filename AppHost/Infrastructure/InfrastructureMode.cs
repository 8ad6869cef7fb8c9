using System.ComponentModel;
using System.Diagnostics;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>Where Redis and PostgreSQL come from. Services never know which one is in use.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, else local processes.</summary>
    Auto,
    Containers,
    Local,
}

public static class InfrastructureModeResolver
{
    public static InfrastructureMode Parse(string? value) =>
        Enum.TryParse<InfrastructureMode>(value ?? nameof(InfrastructureMode.Auto), ignoreCase: true, out var mode)
            && Enum.IsDefined(mode)
            ? mode
            : throw new InfrastructureUnavailableException(
                $"Infrastructure:Mode must be auto, containers or local, not '{value}'.");

    /// <summary>Turns <see cref="InfrastructureMode.Auto"/> into a concrete mode by asking the container runtime.</summary>
    public static InfrastructureMode Resolve(InfrastructureMode requested, string containerRuntime, TimeSpan probeTimeout) =>
        requested switch
        {
            InfrastructureMode.Auto => ContainerRuntimeAnswers(containerRuntime, probeTimeout)
                ? InfrastructureMode.Containers
                : InfrastructureMode.Local,
            _ => requested,
        };

    /// <summary>
    /// True when <c>{runtime} info</c> succeeds within the timeout. A Docker client without an engine
    /// fails fast; a hung engine socket is cut off by the timeout, so the AppHost never stalls here.
    /// </summary>
    public static bool ContainerRuntimeAnswers(string runtime, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        try
        {
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return false;
            }

            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            // The runtime's client is not installed at all.
            return false;
        }
    }
}

/// <summary>Thrown when neither containers nor local binaries can provide the infrastructure; the message says what to install.</summary>
public sealed class InfrastructureUnavailableException(string message) : Exception(message);
