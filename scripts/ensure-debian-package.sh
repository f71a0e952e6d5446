#!/usr/bin/env bash
# ensure-debian-package.sh COMMAND PACKAGE WHAT-FOR
# Installs Debian's PACKAGE when COMMAND is missing; silent and instant when it is there. The
# project's ensure-*.sh scripts call it for the servers the tests and tools start themselves
# (redis-server, nats-server, prometheus). Needs root or sudo for apt-get.
set -euo pipefail
command=$1 package=$2 purpose=$3
command -v "$command" >/dev/null 2>&1 && exit 0
echo "==> installing $package (Debian package) for $purpose" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-$package: need root (or sudo) to apt-get install $package" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
# The package only; its recommends are not needed.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null
command -v "$command" >/dev/null 2>&1 || { echo "ensure-$package: apt-get finished but there is no $command command" >&2; exit 1; }
