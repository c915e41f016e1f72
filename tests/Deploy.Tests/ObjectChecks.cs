namespace Streaming.Deploy.Tests;

/// <summary>
/// What Kubernetes (or the operator that reads it) needs of each kind the chart creates, as far as a
/// schema check such as kubeconform does not see it: references to other objects of the release
/// (selectors, Services, ConfigMaps, ports by name) that resolve.
/// </summary>
public static class ObjectChecks
{
    /// <summary>What the chart may create: the current, non-deprecated API version of each kind.</summary>
    public static readonly IReadOnlyDictionary<string, string> CurrentApiVersions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ConfigMap"] = "v1",
        ["Secret"] = "v1",
        ["Service"] = "v1",
        ["ServiceAccount"] = "v1",
        ["Deployment"] = "apps/v1",
        ["StatefulSet"] = "apps/v1",
        ["HorizontalPodAutoscaler"] = "autoscaling/v2",
        ["PodDisruptionBudget"] = "policy/v1",
        ["Ingress"] = "networking.k8s.io/v1",
        ["NetworkPolicy"] = "networking.k8s.io/v1",
        ["ScaledObject"] = "keda.sh/v1alpha1",
        ["ServiceMonitor"] = "monitoring.coreos.com/v1",
        ["PrometheusRule"] = "monitoring.coreos.com/v1",
    };

    public static IEnumerable<string> Problems(Rendering rendering, JsonObject o)
    {
        var kind = Rendering.Kind(o);
        if (!CurrentApiVersions.TryGetValue(kind, out var apiVersion))
        {
            yield return "not a kind this chart should create";
            yield break;
        }

        if (o["apiVersion"]?.GetValue<string>() != apiVersion)
        {
            yield return $"apiVersion {o["apiVersion"]}, current is {apiVersion}";
        }

        var name = Rendering.Name(o);
        if (name.Length is 0 or > 63)
        {
            yield return $"metadata.name \"{name}\" is empty or longer than 63";
        }

        if (o["metadata"]?["labels"]?["app.kubernetes.io/instance"] is null)
        {
            yield return "no app.kubernetes.io/instance label";
        }

        var problems = kind switch
        {
            "Deployment" or "StatefulSet" => Workload(rendering, o),
            "Service" => Service(rendering, o),
            "PodDisruptionBudget" => DisruptionBudget(rendering, o),
            "HorizontalPodAutoscaler" or "ScaledObject" => Scaler(rendering, o),
            "Ingress" => Ingress(rendering, o),
            "ServiceMonitor" => Monitor(rendering, o),
            "ConfigMap" or "Secret" => Data(o),
            "NetworkPolicy" => Policy(o),
            "PrometheusRule" => Rules(o),
            _ => [],
        };
        foreach (var problem in problems)
        {
            yield return problem;
        }
    }

    /// <summary>The names an envFrom of the workload's container refers to (<paramref name="reference"/>: configMapRef, secretRef).</summary>
    public static IEnumerable<string> EnvFrom(JsonObject workload, string reference) =>
        (workload["spec"]?["template"]?["spec"]?["containers"]?[0]?["envFrom"]?.AsArray() ?? [])
            .Select(e => e?[reference]?["name"]?.GetValue<string>()).OfType<string>();

    /// <summary>The data of every ConfigMap and Secret of the release the workload's envFrom reads, as one string.</summary>
    public static string DataReadBy(Rendering rendering, JsonObject workload) =>
        string.Join(
            "\n",
            EnvFrom(workload, "configMapRef").Select(n => rendering.Named("ConfigMap", n)?["data"]?.ToJsonString())
                .Concat(EnvFrom(workload, "secretRef").Select(n => rendering.Named("Secret", n)?["stringData"]?.ToJsonString())));

    private static IEnumerable<string> Workload(Rendering rendering, JsonObject o)
    {
        var spec = o["spec"];
        var template = spec?["template"];
        var selector = Map(spec?["selector"]?["matchLabels"]);
        if (selector.Count == 0 || !Selects(selector, template?["metadata"]?["labels"]))
        {
            yield return "spec.selector.matchLabels empty or not among the pod template's labels";
        }

        var pod = template?["spec"];
        var containers = pod?["containers"]?.AsArray() ?? [];
        if (containers.Count == 0)
        {
            yield return "no containers";
        }

        var volumes = (pod?["volumes"]?.AsArray() ?? []).Concat(spec?["volumeClaimTemplates"]?.AsArray().Select(t => t?["metadata"]) ?? [])
            .Select(v => v?["name"]?.GetValue<string>()).ToHashSet();
        foreach (var container in containers)
        {
            if (string.IsNullOrEmpty(container?["name"]?.GetValue<string>()) || string.IsNullOrEmpty(container?["image"]?.GetValue<string>()))
            {
                yield return "a container without name or image";
            }

            var ports = (container?["ports"]?.AsArray() ?? []).Select(p => p?["name"]?.GetValue<string>()).ToHashSet();
            foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            {
                if (container?[probe]?["httpGet"]?["port"] is JsonValue port && port.TryGetValue<string>(out var portName) && !ports.Contains(portName))
                {
                    yield return $"{probe} names port {portName}, which the container does not have";
                }
            }

            foreach (var mount in container?["volumeMounts"]?.AsArray() ?? [])
            {
                if (!volumes.Contains(mount?["name"]?.GetValue<string>()))
                {
                    yield return $"volumeMount {mount?["name"]} names no volume";
                }
            }
        }

        var configMaps = EnvFrom(o, "configMapRef").ToList();
        if (!configMaps.Contains(Rendering.Name(o)) || rendering.Named("ConfigMap", Rendering.Name(o)) is null)
        {
            yield return "does not read its own ConfigMap, or it is not rendered";
        }

        if (Rendering.Kind(o) == "StatefulSet")
        {
            var serviceName = spec?["serviceName"]?.GetValue<string>() ?? "";
            var governing = rendering.Named("Service", serviceName);
            if (governing?["spec"]?["clusterIP"]?.GetValue<string>() != "None" || !Selects(Map(governing["spec"]?["selector"]), template?["metadata"]?["labels"]))
            {
                yield return $"serviceName {serviceName} is no headless Service of the release that selects its pods";
            }
        }
    }

    private static IEnumerable<string> Service(Rendering rendering, JsonObject o)
    {
        var ports = o["spec"]?["ports"]?.AsArray() ?? [];
        if (ports.Count == 0 || ports.Any(p => p?["port"] is null))
        {
            yield return "no ports, or a port without a number";
        }

        var selector = Map(o["spec"]?["selector"]);
        var selected = rendering.Workloads.Where(w => Selects(selector, w["spec"]?["template"]?["metadata"]?["labels"])).ToList();
        if (selector.Count == 0 || selected.Count != 1)
        {
            yield return $"its selector matches {selected.Count} workloads, not one";
            yield break;
        }

        var containerPorts = selected[0]["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
        foreach (var port in ports)
        {
            if (port?["targetPort"] is JsonValue target && target.TryGetValue<string>(out var targetName) && !containerPorts.Contains(targetName))
            {
                yield return $"targetPort {targetName} is no port of {Rendering.Describe(selected[0])}";
            }
        }
    }

    private static IEnumerable<string> DisruptionBudget(Rendering rendering, JsonObject o)
    {
        var spec = o["spec"];
        if (!rendering.Workloads.Any(w => Selects(Map(spec?["selector"]?["matchLabels"]), w["spec"]?["template"]?["metadata"]?["labels"])))
        {
            yield return "its selector matches no workload";
        }

        if ((spec?["maxUnavailable"] is null) == (spec?["minAvailable"] is null))
        {
            yield return "needs exactly one of maxUnavailable and minAvailable";
        }

        // Readiness waits on Kafka: with IfHealthyBudget a Kafka outage would block every drain.
        if (spec?["unhealthyPodEvictionPolicy"]?.GetValue<string>() != "AlwaysAllow")
        {
            yield return "unhealthyPodEvictionPolicy is not AlwaysAllow";
        }
    }

    private static IEnumerable<string> Scaler(Rendering rendering, JsonObject o)
    {
        var target = o["spec"]?["scaleTargetRef"];
        if (rendering.Named(target?["kind"]?.GetValue<string>() ?? "", target?["name"]?.GetValue<string>() ?? "") is null)
        {
            yield return $"scaleTargetRef {target?.ToJsonString()} is no workload of the release";
        }

        foreach (var trigger in o["spec"]?["triggers"]?.AsArray() ?? [])
        {
            // KEDA reads trigger metadata as strings only.
            if (trigger?["metadata"]?.AsObject().Any(p => p.Value is not JsonValue v || !v.TryGetValue<string>(out _)) == true)
            {
                yield return "a trigger's metadata value is not a string";
            }
        }
    }

    private static IEnumerable<string> Ingress(Rendering rendering, JsonObject o)
    {
        foreach (var path in o["spec"]?["rules"]?.AsArray().SelectMany(r => r?["http"]?["paths"]?.AsArray() ?? []) ?? [])
        {
            var backend = path?["backend"]?["service"];
            var service = rendering.Named("Service", backend?["name"]?.GetValue<string>() ?? "");
            var port = backend?["port"]?["name"]?.GetValue<string>();
            if (service?["spec"]?["ports"]?.AsArray().Any(p => p?["name"]?.GetValue<string>() == port) != true)
            {
                yield return $"backend {backend?.ToJsonString()} is no Service port of the release";
            }
        }
    }

    private static IEnumerable<string> Monitor(Rendering rendering, JsonObject o)
    {
        var selector = Map(o["spec"]?["selector"]?["matchLabels"]);
        var absent = (o["spec"]?["selector"]?["matchExpressions"]?.AsArray() ?? [])
            .Where(e => e?["operator"]?.GetValue<string>() == "DoesNotExist").Select(e => e!["key"]!.GetValue<string>()).ToList();
        var services = rendering.OfKind("Service")
            .Where(s => Selects(selector, s["metadata"]?["labels"]) && absent.All(key => s["metadata"]?["labels"]?[key] is null)).ToList();
        if (services.Count != 1)
        {
            yield return $"its selector matches {services.Count} Services, not one: each pod would be scraped as many times";
        }

        foreach (var endpoint in o["spec"]?["endpoints"]?.AsArray() ?? [])
        {
            var port = endpoint?["port"]?.GetValue<string>();
            if (!services.All(s => s["spec"]!["ports"]!.AsArray().Any(p => p?["name"]?.GetValue<string>() == port)))
            {
                yield return $"endpoint port {port} is not a port of every Service it selects";
            }
        }
    }

    private static IEnumerable<string> Data(JsonObject o)
    {
        var data = (o["data"] ?? o["stringData"])?.AsObject();
        if (data is null)
        {
            yield return "no data";
            yield break;
        }

        foreach (var (key, value) in data)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out _))
            {
                yield return $"{key} is not a string";
            }
        }
    }

    private static IEnumerable<string> Policy(JsonObject o)
    {
        if (o["spec"]?["podSelector"] is not JsonObject || o["spec"]?["policyTypes"]?.AsArray().Count is null or 0)
        {
            yield return "no podSelector or policyTypes";
        }
    }

    private static IEnumerable<string> Rules(JsonObject o)
    {
        var rules = o["spec"]?["groups"]?.AsArray().SelectMany(g => g?["rules"]?.AsArray() ?? []).ToList() ?? [];
        if (rules.Count == 0)
        {
            yield return "no rules";
        }

        foreach (var rule in rules)
        {
            if (rule?["alert"] is null || rule["expr"] is null || rule["labels"]?["severity"] is null || rule["annotations"]?["summary"] is null)
            {
                yield return $"rule {rule?["alert"]} lacks alert, expr, labels.severity or annotations.summary";
            }
        }
    }

    private static Dictionary<string, string> Map(JsonNode? labels) =>
        labels?.AsObject().ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.Ordinal) ?? [];

    private static bool Selects(Dictionary<string, string> selector, JsonNode? labels)
    {
        var have = Map(labels);
        return selector.Count > 0 && selector.All(s => have.TryGetValue(s.Key, out var v) && v == s.Value);
    }
}
