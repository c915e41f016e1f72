namespace Streaming.Deploy.Tests;

/// <summary>
/// .github/workflows/release.yml, read as YAML: what can be checked without a GitHub runner, Docker or a
/// registry. actionlint checked it where it was written; no tag has run it.
/// </summary>
public sealed class ReleaseWorkflowTests
{
    private static readonly JsonObject Workflow = Yaml.LoadFile(Repository.File(".github", "workflows", "release.yml"))!.AsObject();

    private static JsonObject Jobs => Workflow["jobs"]!.AsObject();

    [Fact]
    public void It_runs_on_a_version_tag_only()
    {
        var on = Workflow["on"]!.AsObject();

        Assert.Equal(["push"], on.Select(t => t.Key));
        Assert.Equal(["v*"], on["push"]!["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Null(on["push"]!["branches"]);
    }

    [Fact]
    public void It_builds_every_deployable_for_amd64_and_arm64_from_the_Dockerfiles_base_images_pinned_by_digest()
    {
        var images = Jobs["images"]!;
        var build = Run(images, "docker buildx build");
        var dockerfile = Dockerfile.Parse();

        Assert.Equal(Deployables.All.Select(d => d.Project), images["strategy"]!["matrix"]!["service"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("--platform linux/amd64,linux/arm64", build, StringComparison.Ordinal);
        Assert.Contains("--push", build, StringComparison.Ordinal);
        Assert.Contains("image=\"$REGISTRY/${SERVICE,,}\"", build, StringComparison.Ordinal);
        Assert.Contains("registry=ghcr.io/${GITHUB_REPOSITORY,,}", Run(Jobs["prepare"]!, "GITHUB_REF_NAME"), StringComparison.Ordinal);
        var pin = Run(Jobs["prepare"]!, "imagetools inspect");
        Assert.All(
            new[] { ("SDK_IMAGE", "sdk"), ("RUNTIME_IMAGE", "runtime") },
            image =>
            {
                // It pins the Dockerfile's own defaults (read from the file, so they cannot drift), and each build takes the pinned image.
                Assert.Contains(image.Item1, dockerfile.ArgumentDefaults.Keys);
                Assert.Contains($"{image.Item2}=\"$(pin {image.Item1})\"", pin, StringComparison.Ordinal);
                Assert.Contains($"{image.Item2}-image=${image.Item2}", pin, StringComparison.Ordinal);
                Assert.Contains($"--build-arg {image.Item1}=\"${image.Item1}\"", build, StringComparison.Ordinal);
            });
        // A default already pinned (scripts/pin-base-images.sh) is built on as it is; a bare tag is pinned to its digest.
        Assert.Contains("sed -n \"s/^ARG $1=//p\" Dockerfile", pin, StringComparison.Ordinal);
        Assert.Contains("if [[ \"$image\" != *@sha256:* ]]; then", pin, StringComparison.Ordinal);
        Assert.Contains("[[ \"$image\" =~ @sha256:[0-9a-f]{64}$ ]]", pin, StringComparison.Ordinal);
        Assert.Contains("packages", images["permissions"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void It_packages_the_chart_with_the_tags_version_and_pushes_it_to_the_registry_as_OCI_after_the_images()
    {
        var chart = Jobs["chart"]!;

        Assert.Equal(["prepare", "images"], chart["needs"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("version=\"${GITHUB_REF_NAME#v}\"", Run(Jobs["prepare"]!, "GITHUB_REF_NAME"), StringComparison.Ordinal);
        Assert.Contains("helm package \"$CHART\" --version \"$VERSION\" --app-version \"$VERSION\"", Run(chart, "helm package"), StringComparison.Ordinal);
        Assert.Contains("helm push \"dist/shopify-pinterest-$VERSION.tgz\" \"oci://$REGISTRY/charts\"", Run(chart, "helm push"), StringComparison.Ordinal);
        Assert.Equal(Path.GetRelativePath(Repository.Root, Repository.Chart).Replace('\\', '/'), Workflow["env"]!["CHART"]!.GetValue<string>());
        // The packaged values name each deployable's released image, <registry>/<deployable>.
        var values = Run(chart, "yq -i");
        Assert.Contains("for name in " + string.Join(' ', Deployables.All.Select(d => d.Name)) + "; do", values, StringComparison.Ordinal);
        Assert.All(Deployables.All, d => Assert.NotNull(Chart.Values[d.Name]!["image"]!["repository"]));
    }

    [Fact]
    public void Dependabot_watches_the_root_Dockerfile_and_the_workflows_actions()
    {
        var updates = Yaml.LoadFile(Repository.File(".github", "dependabot.yml"))!["updates"]!.AsArray();

        Assert.Equal(
            ["docker /", "github-actions /"],
            updates.Select(u => $"{u!["package-ecosystem"]!.GetValue<string>()} {u["directory"]!.GetValue<string>()}").Order(StringComparer.Ordinal));
    }

    /// <summary>The one <c>run</c> script of <paramref name="job"/> that contains <paramref name="text"/>.</summary>
    private static string Run(JsonNode job, string text) =>
        Assert.Single(job["steps"]!.AsArray().Select(s => s!["run"]?.GetValue<string>()).OfType<string>(), r => r.Contains(text, StringComparison.Ordinal));
}
