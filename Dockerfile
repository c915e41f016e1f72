# One image per deployable, from this one file: the build argument SERVICE names the project folder
# under src/ (Ingest, Enricher, Dispatcher or Operator), and the image runs the assembly Streaming.<SERVICE>.
#
#   docker build --build-arg SERVICE=Ingest -t shopify-pinterest-ingest .
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg SERVICE=Ingest -t ... .
#
# docker-compose.yml and the CI workflow build all four; the release workflow builds each for both
# platforms. A new deployable under src/<Name> with the assembly Streaming.<Name> needs no change here.

# The base images. NOT PINNED YET: these defaults are tags, which move with every .NET servicing
# release. This file was written where no registry answers, so no digest could be read, and none is
# written here unread. Pinning them is one step, on a machine with Docker that reaches mcr.microsoft.com:
#   scripts/pin-base-images.sh    # rewrites both defaults to <tag>@sha256:<digest>; commit the result
# Until then the release workflow (.github/workflows/release.yml) pins a bare tag itself at every
# release, and a single build can pass pinned images:
#   docker build --build-arg SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0@sha256:<digest> \
#                --build-arg RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0@sha256:<digest> ...
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# The SDK runs on the builder's own platform and publishes for the target's: no emulated compiler.
FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
ARG SERVICE
# Set by buildx (and by docker build with BuildKit) to the platform being built: amd64 or arm64.
ARG TARGETARCH
RUN test -n "${SERVICE}" || { echo "Pass --build-arg SERVICE=<project folder under src/>, for example Ingest" >&2; exit 1; }
WORKDIR /source
# The build settings first: warnings are errors and code style is enforced, as in CI.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY schemas/ schemas/
COPY src/ src/
# One runtime per image: publishing for the target's runtime identifier copies only its native
# libraries (librdkafka, RocksDB), not those of every platform (docs/benchmarks.md, "Image size").
# Framework-dependent: the runtime image brings .NET.
RUN case "${TARGETARCH}" in \
        amd64) echo linux-x64 ;; \
        arm64) echo linux-arm64 ;; \
        *) echo "No .NET runtime identifier for TARGETARCH=${TARGETARCH:-<unset>}: build for linux/amd64 or linux/arm64." >&2; exit 1 ;; \
    esac > /tmp/runtime-identifier
RUN dotnet restore "src/${SERVICE}/${SERVICE}.csproj" -r "$(cat /tmp/runtime-identifier)"
RUN dotnet publish "src/${SERVICE}/${SERVICE}.csproj" --no-restore -c Release -r "$(cat /tmp/runtime-identifier)" --self-contained false -o /app

# Microsoft's ASP.NET Core runtime image, not a chiseled or Alpine one: customer data is Unicode-normalized
# before hashing, which needs ICU, and RocksDB's and librdkafka's native libraries are built for glibc.
FROM ${RUNTIME_IMAGE} AS runtime
ARG SERVICE
WORKDIR /app
COPY --from=build /app ./
# /var/lib/pipeline holds the state stores and the dry-run file: mount a volume there, and the root
# filesystem can be read-only (give /tmp a tmpfs or emptyDir too: .NET keeps its diagnostics sockets
# there). It belongs to the image's non-root user (app, uid 1654), so an empty
# named volume mounted there starts with the same owner. /app/service starts the deployable whatever its name.
RUN mkdir -p /var/lib/pipeline \
    && chown "${APP_UID}:${APP_UID}" /var/lib/pipeline \
    && ln -s "/app/Streaming.${SERVICE}" /app/service \
    && test -x "/app/Streaming.${SERVICE}"

# Console logs as JSON, one object a line, which log collectors read without a multi-line rule; a
# message that spans lines (an exception) stays one record. The quick start (dotnet run) keeps plain text.
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    Enricher__State__Directory=/var/lib/pipeline/state \
    Dispatcher__State__Directory=/var/lib/pipeline/state \
    Pinterest__DryRunFile=/var/lib/pipeline/pinterest-dry-run.jsonl \
    Logging__Console__FormatterName=json
EXPOSE 8080
VOLUME ["/var/lib/pipeline"]
USER ${APP_UID}

# The image has no curl or wget; bash's /dev/tcp is enough for one GET of /healthz on the port of ASPNETCORE_URLS.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ASPNETCORE_URLS##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/app/service"]
