#!/usr/bin/env bash
# Installs Debian's prometheus package when the `prometheus` command is missing; silent and
# instant when it is there. ./build.sh test runs it before the tests and the scrape test runs it
# again, so `dotnet test` alone works too. Needs root or sudo for apt-get.
set -euo pipefail
command -v prometheus >/dev/null 2>&1 && exit 0
echo "==> installing prometheus (Debian package) for the admin endpoint's scrape test" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-prometheus: need root (or sudo) to apt-get install prometheus" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
# The server only; its recommends (node exporter, ipmitool, ...) are not needed to scrape.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null 2>&1 || { echo "ensure-prometheus: apt-get finished but there is no prometheus command" >&2; exit 1; }
