#!/usr/bin/env bash
# Installs Debian's nats-server package when the `nats-server` command is missing; silent and instant
# when it is there. The distributed load test (loadtest coordinator / agent) talks over NATS: build.sh
# runs this before the tests and before `./build.sh loadtest coordinator|agent`, and the distributed
# test runs it again, so `dotnet test` alone works too. Needs root or sudo for apt-get.
set -euo pipefail
command -v nats-server >/dev/null 2>&1 && exit 0
echo "==> installing nats-server (Debian package) for the distributed load test" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-nats-server: need root (or sudo) to apt-get install nats-server" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends nats-server >/dev/null
command -v nats-server >/dev/null 2>&1 || { echo "ensure-nats-server: apt-get finished but there is no nats-server command" >&2; exit 1; }
