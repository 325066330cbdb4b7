#!/bin/sh
# Renders a status page the way a person sees it: headless Chromium (Debian's chromium package)
# takes a 1200x900 screenshot of the page `hubspot status --html` wrote.
# Usage: test/status/screenshot.sh REPORT_PATH OUT.png
set -eu
report=$1
png=$2
page=$(mktemp --suffix=.html)
trap 'rm -f "$page"' EXIT
go run . status --runs 5 --html "$page" "$report" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$png" --window-size=1200,900 "file://$page" 2>/dev/null
echo "screenshot of $report's status page: $png"
