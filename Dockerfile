# One image per deployable, from this one file: the build argument SERVICE names the project folder
# under src/ (Ingest, Enricher, Dispatcher or Operator), and the image runs the assembly Streaming.<SERVICE>.
#
#   docker build --build-arg SERVICE=Ingest -t shopify-pinterest-ingest .
#
# docker-compose.yml and the CI workflow build all four. A new deployable under src/<Name> with the
# assembly Streaming.<Name> needs no change here.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "Pass --build-arg SERVICE=<project folder under src/>, for example Ingest" >&2; exit 1; }
WORKDIR /source
# The build settings first: warnings are errors and code style is enforced, as in CI.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY schemas/ schemas/
COPY src/ src/
RUN dotnet restore "src/${SERVICE}/${SERVICE}.csproj"
RUN dotnet publish "src/${SERVICE}/${SERVICE}.csproj" --no-restore -c Release -o /app

# Microsoft's ASP.NET Core runtime image, not a chiseled or Alpine one: customer data is Unicode-normalized
# before hashing, which needs ICU, and RocksDB's and librdkafka's native libraries are built for glibc.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
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

ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    Enricher__State__Directory=/var/lib/pipeline/state \
    Dispatcher__State__Directory=/var/lib/pipeline/state \
    Pinterest__DryRunFile=/var/lib/pipeline/pinterest-dry-run.jsonl
EXPOSE 8080
VOLUME ["/var/lib/pipeline"]
USER ${APP_UID}

# The image has no curl or wget; bash's /dev/tcp is enough for one GET of /healthz on the port of ASPNETCORE_URLS.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ASPNETCORE_URLS##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/app/service"]
