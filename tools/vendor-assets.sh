#!/usr/bin/env bash
# vendor-assets.sh fetches the front-end libraries baoxue embeds (htmx, Apache ECharts) from the npm
# registry at pinned versions and copies their minified builds and licences into
# internal/server/static/vendor/, recording versions, registry integrity and sha256 sums in VERSIONS.
# The files are committed: the binary serves them itself, with no CDN and no internet at run time.
#
# To upgrade, change a version below, run `tools/vendor-assets.sh`, review the diff, run the server
# tests, and commit. `tools/vendor-assets.sh --check` re-fetches and fails if the committed files
# differ from what the registry serves for the pinned versions.
set -euo pipefail

HTMX_VERSION=2.0.11    # htmx 2.x; 4.x changes attribute semantics and needs a template review first
ECHARTS_VERSION=6.1.0

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/internal/server/static/vendor"
check=false
if [[ "${1:-}" == "--check" ]]; then
	check=true
elif [[ $# -gt 0 ]]; then
	echo "usage: tools/vendor-assets.sh [--check]" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out"

# fetch PACKAGE VERSION: download the tarball (npm pack checks it against the registry's integrity
# hash), unpack it into $work/PACKAGE, and print the integrity string.
fetch() {
	local pkg=$1 version=$2
	(cd "$work" && npm pack --silent --json "$pkg@$version" >"$work/$pkg.json")
	local tgz integrity
	tgz=$(node -e 'const p=require(process.argv[1])[0]; console.log(p.filename)' "$work/$pkg.json")
	integrity=$(node -e 'const p=require(process.argv[1])[0]; console.log(p.integrity)' "$work/$pkg.json")
	mkdir -p "$work/$pkg"
	tar -xzf "$work/$tgz" -C "$work/$pkg" --strip-components=1
	echo "$integrity"
}

htmx_integrity=$(fetch htmx.org "$HTMX_VERSION")
echarts_integrity=$(fetch echarts "$ECHARTS_VERSION")

cp "$work/htmx.org/dist/htmx.min.js" "$out/htmx.min.js"
cp "$work/htmx.org/LICENSE" "$out/htmx.LICENSE.txt"
cp "$work/echarts/dist/echarts.min.js" "$out/echarts.min.js"
cp "$work/echarts/LICENSE" "$out/echarts.LICENSE.txt"
cp "$work/echarts/NOTICE" "$out/echarts.NOTICE.txt"
cp "$work/echarts/licenses/LICENSE-d3" "$out/echarts.LICENSE-d3.txt"

{
	echo "# Front-end libraries embedded in baoxue, written by tools/vendor-assets.sh; do not edit."
	echo "# package version registry-integrity"
	echo "htmx.org $HTMX_VERSION $htmx_integrity"
	echo "echarts $ECHARTS_VERSION $echarts_integrity"
	echo "# sha256 file"
	(cd "$out" && sha256sum htmx.min.js htmx.LICENSE.txt echarts.min.js echarts.LICENSE.txt \
		echarts.NOTICE.txt echarts.LICENSE-d3.txt)
} >"$out/VERSIONS"

if $check; then
	if diff -r "$out" "$dest"; then
		echo "vendor assets match htmx.org@$HTMX_VERSION and echarts@$ECHARTS_VERSION"
		exit 0
	fi
	echo "vendor assets differ from the registry's htmx.org@$HTMX_VERSION / echarts@$ECHARTS_VERSION" >&2
	exit 1
fi

rm -rf "$dest"
mkdir -p "$dest"
cp "$out"/* "$dest/"
cat "$dest/VERSIONS"
