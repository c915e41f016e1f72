using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Streaming.Deploy.Tests;

/// <summary>
/// scripts/pin-base-images.sh, run on a copy of the Dockerfile with a stand-in <c>docker</c> first on the
/// PATH (this machine reaches no registry): that it writes each base image's digest into its ARG default,
/// moves an already pinned default to the tag's current digest, and refuses an answer that is no digest.
/// </summary>
public sealed class BaseImagePinTests : IDisposable
{
    // Answers `docker buildx imagetools inspect <image> --format ...` as buildx does, with a digest made
    // of the image and a seed, and logs each call.
    private const string FakeDocker = """
        #!/usr/bin/env bash
        echo "$*" >> "$FAKE_DOCKER_LOG"
        if [[ "$FAKE_DIGEST_SEED" == broken ]]; then echo '{"digest":"latest"}'; exit 0; fi
        printf '{"digest":"sha256:%s"}\n' "$(printf '%s%s' "$FAKE_DIGEST_SEED" "$4" | sha256sum | cut -d' ' -f1)"
        """;

    private static readonly string[] BaseImageArguments = ["SDK_IMAGE", "RUNTIME_IMAGE"];

    private readonly string _root = Directory.CreateTempSubdirectory("pin-base-images-").FullName;

    public BaseImagePinTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.Copy(Repository.File("scripts", "pin-base-images.sh"), Path.Combine(_root, "scripts", "pin-base-images.sh"));
        File.Copy(Repository.File("Dockerfile"), Path.Combine(_root, "Dockerfile"));
        File.WriteAllText(Path.Combine(_root, "bin", "docker"), FakeDocker.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_root, "bin", "docker"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string PinnedDockerfile => File.ReadAllText(Path.Combine(_root, "Dockerfile"));

    [Fact]
    public void One_run_pins_both_base_images_to_their_tags_digests_and_changes_nothing_else()
    {
        var original = Dockerfile.Parse();
        var tags = BaseImageArguments.ToDictionary(a => a, a => original.ArgumentDefaults[a].Split('@')[0]);

        var (exitCode, error) = Pin("first");

        Assert.True(exitCode == 0, error);
        var pinned = Dockerfile.Parse(PinnedDockerfile);
        Assert.All(tags, t => Assert.Equal($"{t.Value}@sha256:{Digest("first", t.Value)}", pinned.ArgumentDefaults[t.Key]));
        Assert.Equal(original.FromImages, pinned.FromImages);
        Assert.Equal(
            Repository.Read("Dockerfile").Split('\n').Where(l => !l.StartsWith("ARG SDK_IMAGE=", StringComparison.Ordinal) && !l.StartsWith("ARG RUNTIME_IMAGE=", StringComparison.Ordinal)),
            PinnedDockerfile.Split('\n').Where(l => !l.StartsWith("ARG SDK_IMAGE=", StringComparison.Ordinal) && !l.StartsWith("ARG RUNTIME_IMAGE=", StringComparison.Ordinal)));
        Assert.Equal(tags.Values.Select(t => $"buildx imagetools inspect {t} --format {{{{json .Manifest}}}}"), File.ReadAllLines(Log).Select(l => l.Trim()));
    }

    [Fact]
    public void A_second_run_moves_a_pinned_default_to_the_digest_its_tag_points_at_now()
    {
        Assert.Equal(0, Pin("first").ExitCode);

        var (exitCode, error) = Pin("second");

        Assert.True(exitCode == 0, error);
        var tag = Dockerfile.Parse().ArgumentDefaults["RUNTIME_IMAGE"].Split('@')[0];
        Assert.Equal($"{tag}@sha256:{Digest("second", tag)}", Dockerfile.Parse(PinnedDockerfile).ArgumentDefaults["RUNTIME_IMAGE"]);
    }

    [Fact]
    public void An_answer_that_is_no_digest_fails_and_writes_no_pin()
    {
        var (exitCode, error) = Pin("broken");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No sha256 digest", error, StringComparison.Ordinal);
        Assert.Equal(Repository.Read("Dockerfile"), PinnedDockerfile);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Log => Path.Combine(_root, "docker.log");

    private (int ExitCode, string Error) Pin(string seed)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(_root, "scripts", "pin-base-images.sh")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["PATH"] = $"{Path.Combine(_root, "bin")}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["FAKE_DIGEST_SEED"] = seed;
        start.Environment["FAKE_DOCKER_LOG"] = Log;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result);
    }

    private static string Digest(string seed, string image) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed + image)));
}
