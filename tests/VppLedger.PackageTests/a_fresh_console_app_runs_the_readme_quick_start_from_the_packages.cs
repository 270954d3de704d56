using System.Diagnostics;
using System.Text;
using Npgsql;
using VppLedger.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace VppLedger.PackageTests;

/// <summary>
/// What a new user does, from the packages (issue 12, item 7): the packages packed into a local folder feed, a fresh
/// console project outside the repository that references VppLedger and VppLedger.Testing by version (no project
/// reference), the README's quick start pasted as Program.cs (between its markers), built with warnings as errors and
/// run. The machine's package sources stay: a nuget.config beside the project only adds the folder feed.
/// </summary>
public sealed class a_fresh_console_app_runs_the_readme_quick_start_from_the_packages(ITestOutputHelper output) : IDisposable
{
    private const string Begin = "<!-- README quick start: begin -->";
    private const string End = "<!-- README quick start: end -->";
    private static readonly string[] Packages = ["VppLedger.Domain", "VppLedger", "VppLedger.Testing"];

    private readonly string _work = Directory.CreateTempSubdirectory("vppledger-consumer-").FullName;

    // A version of this run only, so that the global packages folder never serves an older build of the same version.
    private readonly string _version = $"0.0.0-readme.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";

    [Fact]
    [Trait("Rule", "A6")]
    public async Task the_quick_start_builds_without_warning_and_grants_two_and_queues_the_third()
    {
        var root = RepositoryRoot();
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;

        // One pack of the three library projects, from the build the test run already made (--no-build).
        var pack = Path.Combine(_work, "pack.proj");
        await File.WriteAllTextAsync(pack, $"""
            <Project>
              <Target Name="Pack">
                <MSBuild Projects="{string.Join(';', Packages.Select(p => Path.Combine(root, "src", p, p + ".csproj")))}" Targets="Pack" />
              </Target>
            </Project>
            """);
        await RunAsync("dotnet", ["msbuild", pack, "-nologo", "-v:q", "-t:Pack", $"-p:Configuration={Configuration()}", "-p:NoBuild=true", $"-p:PackageOutputPath={feed}", $"-p:MinVerVersionOverride={_version}"], _work);
        foreach (var package in Packages)
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.nupkg")), $"{package} {_version} was not packed: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        }

        // A fresh console project (what `dotnet new console` writes), the packages by version, the README's block.
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="VppLedger" Version="{_version}" />
                <PackageReference Include="VppLedger.Testing" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <!-- Adds the local feed; the machine's own sources (user and machine nuget.config) stay, none is cleared. -->
            <configuration>
              <packageSources>
                <add key="vppledger-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), QuickStart(await File.ReadAllTextAsync(Path.Combine(root, "README.md"))));

        await RunAsync("dotnet", ["build", app, "-c", "Release", "-nologo", "-v:q", "-warnaserror"], app);
        var connection = await FreshDatabaseAsync();
        string run;
        try
        {
            run = await RunAsync("dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "app.dll")], app, ("VPPLEDGER_CONNECTION", connection));
        }
        finally
        {
            await TestServer.ScalarAsync<object>($"drop database if exists {new NpgsqlConnectionStringBuilder(connection).Database} with (force)");
        }

        Assert.Contains("Assignment Applied: 2 of 2 used, 1 queued", run, StringComparison.Ordinal);
    }

    [Fact]
    public void the_readme_marks_one_csharp_block_with_full_using_lines()
    {
        var code = QuickStart(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));

        Assert.StartsWith("using ", code, StringComparison.Ordinal);
        Assert.Contains("using VppLedger;", code, StringComparison.Ordinal);
        Assert.Contains("EmbeddedPostgres.StartAsync()", code, StringComparison.Ordinal);
        Assert.Contains("VppTokenFile.Create(", code, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Only a temporary folder is left behind.
        }

        // The run's packages in the global packages folder: nothing else will ever ask for this version.
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var folder = Path.Combine(global, package.ToLowerInvariant(), _version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The C# between the README's markers, as a person would copy it.</summary>
    internal static string QuickStart(string readme)
    {
        readme = readme.ReplaceLineEndings("\n");
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"README.md has no {Begin} ... {End} block");
        var block = readme[(begin + Begin.Length)..end].Trim();
        Assert.StartsWith("```csharp\n", block, StringComparison.Ordinal);
        Assert.EndsWith("\n```", block, StringComparison.Ordinal);
        return block["```csharp\n".Length..^"\n```".Length] + "\n";
    }

    private async Task<string> FreshDatabaseAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(await TestServer.ConnectionStringAsync());
        var database = "readme_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        server.Database = database;
        return server.ConnectionString;
    }

    private async Task<string> RunAsync(string file, string[] args, string directory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host's MSBuild variables would point the child build at the test run's own MSBuild; a user's shell has none.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("PG", StringComparison.Ordinal) || k == "VPPLEDGER_CONNECTION").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        output.WriteLine($"$ {file} {string.Join(' ', args)}  ({watch.Elapsed.TotalSeconds:0.0} s, exit {process.ExitCode})\n{text}");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        var directory = new DirectoryInfo(Path.GetDirectoryName(here)!);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "VppLedger.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No VppLedger.sln above {here}.");
    }
}
