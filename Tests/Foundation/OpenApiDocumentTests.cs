using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Foundation;

/// <summary>
/// docs/openapi/ holds each API service's OpenAPI document exactly as the service serves it, so the docs cannot drift
/// from what the services map. After changing an API, regenerate them: <c>REALTIME_UPDATE_OPENAPI=1 ./scripts/test.sh
/// integration --filter "FullyQualifiedName~OpenApiDocumentTests"</c>, and read the diff.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class OpenApiDocumentTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The services with a public HTTP API, by the resource that serves it.</summary>
    public static TheoryData<string, string> Services => new()
    {
        { "auth-service", "auth-service" },
        { "message-service", "message-service" },
        { "connection-service-1", "connection-service" },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_document_in_docs_is_the_one_the_service_serves(string resource, string documentName)
    {
        using var client = fixture.App.CreateHttpClient(resource, "http");
        var served = Normalize(await client.GetStringAsync("/openapi/v1.json").WaitAsync(RequestTimeout));
        var path = Path.Combine(RepositoryRoot(), "docs", "openapi", $"{documentName}.json");

        if (Environment.GetEnvironmentVariable("REALTIME_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served + "\n").WaitAsync(RequestTimeout);
        }

        Assert.True(File.Exists(path), $"{path} is missing: regenerate it (see this class's summary).");
        Assert.Equal(served, Normalize(await File.ReadAllTextAsync(path).WaitAsync(RequestTimeout)));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Only_the_public_api_is_described(string resource, string _)
    {
        using var client = fixture.App.CreateHttpClient(resource, "http");
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json").WaitAsync(RequestTimeout))!;

        var paths = document["paths"]!.AsObject().Select(path => path.Key).ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, path => Assert.StartsWith("/api/", path));
    }

    private static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString(Indented);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RealtimeAspire.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("RealtimeAspire.sln");
    }
}
