using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.Tests.Foundation;

/// <summary>The AppHost's secrets that protect a data folder's data live in that folder (README, Data and its secrets).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderSecretsTests : IDisposable
{
    private const string Name = "auth-key-encryption-key";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("data-folder-secrets-");
    private readonly string? _userProfile = Environment.GetEnvironmentVariable("APPDATA");

    // .NET looks for user secrets under APPDATA first: the machine's real stores stay out of these tests.
    public DataFolderSecretsTests() => Environment.SetEnvironmentVariable("APPDATA", Profile);

    private string DataPath => Path.Combine(_scratch.FullName, "data");

    private string Profile => Path.Combine(_scratch.FullName, "profile");

    [Fact]
    public async Task A_secret_is_made_once_in_the_data_folder_and_every_later_run_in_any_environment_reads_it()
    {
        var first = await SecretAsync("Development");
        var second = await SecretAsync("Production");
        var third = await SecretAsync("Development");

        Assert.True(first.Length >= 32);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Equal(first, File.ReadAllText(Path.Combine(DataPath, Name)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataPath, Name)));
    }

    [Fact]
    public async Task An_explicit_parameter_wins_over_the_file()
    {
        await SecretAsync("Development");

        Assert.Equal("an-explicit-secret-of-enough-length", await SecretAsync("Production", $"--Parameters:{Name}=an-explicit-secret-of-enough-length"));
    }

    [Fact]
    public async Task A_data_folder_without_the_file_adopts_the_value_the_old_user_secrets_store_holds()
    {
        var store = Path.Combine(Profile, "Microsoft", "UserSecrets", DataFolderSecrets.LegacyUserSecretsId, "secrets.json");
        Directory.CreateDirectory(Path.GetDirectoryName(store)!);
        File.WriteAllText(store, $$"""{ "Parameters:{{Name}}": "the-value-an-earlier-apphost-generated" }""");

        Assert.Equal("the-value-an-earlier-apphost-generated", await SecretAsync("Production"));
        File.Delete(store);
        Assert.Equal("the-value-an-earlier-apphost-generated", await SecretAsync("Development"));
    }

    private async Task<string> SecretAsync(string environment, params string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(
            [$"--environment={environment}", $"--Infrastructure:DataPath={DataPath}", .. args]);
        var secret = builder.AddDataFolderSecret(Name);
        return await secret.Resource.GetValueAsync(CancellationToken.None).AsTask().WaitAsync(Timeout) ?? "";
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("APPDATA", _userProfile);
        _scratch.Delete(recursive: true);
    }
}
