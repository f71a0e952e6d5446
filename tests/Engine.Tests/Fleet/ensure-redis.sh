#!/usr/bin/env bash
# Installs Debian's redis-server package when the `redis-server` command is missing; silent and
# instant when it is there. ./build.sh test runs it before the tests and the fleet tests run it
# again, so `dotnet test` alone works too. The tests start their own redis-server on a free
# loopback port; the package's system service is not used. Needs root or sudo for apt-get.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
echo "==> installing redis-server (Debian package) for the fleet tests" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-redis: need root (or sudo) to apt-get install redis-server" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server >/dev/null 2>&1 || { echo "ensure-redis: apt-get finished but there is no redis-server command" >&2; exit 1; }
