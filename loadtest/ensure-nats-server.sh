#!/usr/bin/env bash
# Installs Debian's nats-server when missing. The distributed load test (loadtest coordinator / agent)
# talks over NATS: build.sh runs this before the tests and before `./build.sh loadtest coordinator|agent`,
# and the distributed test runs it again, so `dotnet test` alone works too.
exec "$(dirname "$0")/../scripts/ensure-debian-package.sh" nats-server nats-server "the distributed load test"
