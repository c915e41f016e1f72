#!/usr/bin/env bash
# Pins the Dockerfile's base images to the digests their tags point at now, in one step:
#
#   scripts/pin-base-images.sh
#
# It rewrites the defaults of ARG SDK_IMAGE and ARG RUNTIME_IMAGE from <image>:<tag> (or an older
# <image>:<tag>@sha256:<digest>) to <image>:<tag>@sha256:<digest>, reading each digest with
# `docker buildx imagetools inspect` (the multi-platform index, so both amd64 and arm64 builds pin).
# Run it again to move to the bases of a newer servicing release; commit the Dockerfile it changed.
# The release workflow builds on a pinned default as it is, and pins a default that is a bare tag itself.
# Needs Docker with buildx, jq, and access to mcr.microsoft.com.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in SDK_IMAGE RUNTIME_IMAGE; do
    current="$(sed -n "s/^ARG ${arg}=//p" Dockerfile)"
    if [[ -z "$current" ]]; then
        echo "The Dockerfile has no ARG ${arg}=<image>." >&2
        exit 1
    fi
    tag="${current%@*}"
    digest="$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest}}' | jq -er .digest)"
    if ! [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
        echo "No sha256 digest for ${tag}: got '${digest}'." >&2
        exit 1
    fi
    sed -i "s|^ARG ${arg}=.*|ARG ${arg}=${tag}@${digest}|" Dockerfile
    echo "${arg}=${tag}@${digest}"
done
