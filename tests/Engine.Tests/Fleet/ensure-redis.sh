#!/usr/bin/env bash
# Installs Debian's redis-server when missing. ./build.sh test runs it before the tests and the fleet
# tests run it again, so `dotnet test` alone works too. The tests start their own redis-server on a
# free loopback port; the package's system service is not used.
exec "$(dirname "$0")/../../../scripts/ensure-debian-package.sh" redis-server redis-server "the fleet tests"
