#!/usr/bin/env bash
# Installs Debian's prometheus (the server only) when missing. ./build.sh test runs it before the tests
# and the scrape test runs it again, so `dotnet test` alone works too.
exec "$(dirname "$0")/../../../scripts/ensure-debian-package.sh" prometheus prometheus "the admin endpoint's scrape test"
