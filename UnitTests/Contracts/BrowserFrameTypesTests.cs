using System.Reflection;
using System.Text.RegularExpressions;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>The browser module cannot share C#: its one list of frame types must match the codec's, name for name.</summary>
public sealed partial class BrowserFrameTypesTests
{
    private static readonly string Module = File.ReadAllText(Path.Combine(RepositoryRoot(), "Gateway", "wwwroot", "js", "realtime-client.js"));

    [Fact]
    public void The_browser_modules_frame_types_are_the_codecs()
    {
        var block = FrameTypesBlock().Match(Module);
        Assert.True(block.Success, "realtime-client.js exports FrameTypes = Object.freeze({ … })");
        var browser = Entry().Matches(block.Groups[1].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        var codec = typeof(FrameTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.Name is not (nameof(FrameTypes.MentionKind) or nameof(FrameTypes.ProtocolName)))
            .ToDictionary(field => char.ToLowerInvariant(field.Name[0]) + field.Name[1..], field => (string)field.GetValue(null)!);

        Assert.Equal(codec.OrderBy(pair => pair.Key), browser.OrderBy(pair => pair.Key));
    }

    [Fact]
    public void The_browser_module_names_frame_types_only_through_its_list()
    {
        Assert.DoesNotMatch(RawTypeLiteral(), Module);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RealtimeAspire.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("RealtimeAspire.sln");
    }

    [GeneratedRegex(@"export const FrameTypes = Object\.freeze\(\{(.*?)\}\);", RegexOptions.Singleline)]
    private static partial Regex FrameTypesBlock();

    [GeneratedRegex(@"(\w+): ""([a-z_]+)""")]
    private static partial Regex Entry();

    [GeneratedRegex(@"case ""[a-z_]+"":|type: ""[a-z_]+""")]
    private static partial Regex RawTypeLiteral();
}
