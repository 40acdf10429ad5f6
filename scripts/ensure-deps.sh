#!/usr/bin/env bash
# Installs what apmrisk needs and is missing: GSL (libgsl-dev) and pkg-config, via apt-get.
# Sourced by the other scripts; safe to run again (it installs nothing when all is present).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "apmrisk needs the Swift 6 toolchain (swift) on PATH; see https://www.swift.org/install/linux/" >&2
  exit 1
fi

if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists gsl; then
  echo "Installing libgsl-dev and pkg-config ..." >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libgsl-dev pkg-config >/dev/null
fi
