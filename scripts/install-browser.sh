#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of internal/web when it
# is missing. Idempotent: does nothing when /usr/bin/chromium exists.
# Browsers are installed from the distribution only (never downloaded by
# npx playwright / puppeteer, which needs hosts a closed network lacks).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-browser: no apt-get here; install Chromium so that /usr/bin/chromium exists (or set PCNET_CHROMIUM)" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi

echo "install-browser: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
	if $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null; then
		break
	fi
	if [ "$attempt" = 3 ]; then
		echo "install-browser: apt-get failed three times" >&2
		exit 1
	fi
	sleep $((attempt * 5))
done
/usr/bin/chromium --version 2>/dev/null || true
