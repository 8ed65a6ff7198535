#!/usr/bin/env bash
# Installs everything the gateway needs to build, test and run, by Debian package name (and the
# test tooling from the npm registry). Idempotent, and quick when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libboost1.81-dev            # Asio, Beast (compiled once by the project)
  rapidjson-dev libpqxx-dev libpugixml-dev libyaml-cpp-dev libutf8proc-dev
  libspdlog-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmimalloc-dev             # the programs' malloc (GW_ALLOCATOR)
  postgresql-15 postgresql-client-15
  clang clang-format libclang-rt-14-dev   # libFuzzer, sanitizer runtimes, the style check
  curl procps iproute2
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js for the test tooling (official FHIR R4 JSON schema validation). Any Node.js >= 18 will do;
# take Debian's when none is installed.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi


# npm test tooling, pinned by package-lock.json.
for dir in tests/schema tests/tools; do
  if [[ -f $dir/package.json ]]; then
    if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules ]]; then
      echo "setup: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      touch "$dir/node_modules"
    fi
  fi
done
echo "setup: all dependencies present"
