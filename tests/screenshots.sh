#!/bin/sh
# Render screenshots of the real program: run it headless against the emulator, save each
# screen's text, and draw that text into a PNG with ImageMagick.
# usage: screenshots.sh BUILDDIR OUTDIR
set -eu
builddir=$1
outdir=$2
command -v convert >/dev/null || { echo "screenshots: ImageMagick's convert is needed (apt-get install imagemagick)"; exit 1; }
work=$(mktemp -d)
trap 'kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT

"$builddir/simtop-emu" --port 0 --devices 4212 --seed 7 --no-limits >"$work/port" 2>/dev/null &
emu_pid=$!
while [ ! -s "$work/port" ]; do sleep 0.05; done
port=$(head -n 1 "$work/port")

cat >"$work/steps" <<STEPS
:resize 120x32
jjjj
:save-display $work/fleet.txt
<Enter>
:save-display $work/detail.txt
<Esc>?
:save-display $work/help.txt
STEPS
env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 EMNIFY_BASE_PATH="http://127.0.0.1:$port" \
	EMNIFY_APPLICATION_TOKEN=emu-demo-token SIMTOP_SCRIPT="$work/steps" "$builddir/simtop"

mkdir -p "$outdir"
for screen in fleet detail help; do
	convert -background '#1d1f21' -fill '#c5c8c6' -font DejaVu-Sans-Mono -pointsize 14 \
		-border 12 -bordercolor '#1d1f21' label:@"$work/$screen.txt" "$outdir/$screen.png"
	echo "screenshots: $outdir/$screen.png"
done
