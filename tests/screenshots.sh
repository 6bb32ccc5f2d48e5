#!/bin/sh
# Render screenshots of the real program: run it headless against the emulator, save each
# screen as SVG (colours included, :save-svg) and turn that into PNG with rsvg-convert.
# usage: screenshots.sh BUILDDIR OUTDIR
set -eu
builddir=$1
outdir=$2
command -v rsvg-convert >/dev/null ||
	{ echo "screenshots: rsvg-convert is needed (apt-get install librsvg2-bin)"; exit 1; }
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT

# The demo's fleet (simtop --demo: 3,000 devices, seed 7), its clock fixed so the ages read
# the same at every run.
"$builddir/simtop-emu" --port 0 --devices 3000 --seed 7 --epoch 1764590400 >"$work/port" 2>/dev/null &
emu_pid=$!
while [ ! -s "$work/port" ]; do sleep 0.05; done
port=$(head -n 1 "$work/port")

# Wide enough that nothing is cut: the title's counts, every column.
cat >"$work/steps" <<STEPS
:resize 172x32
jjjjjj
:save-svg $work/fleet.svg
<Enter>
:save-svg $work/detail.svg
<Esc><Tab>
:save-svg $work/summary.svg
<Esc>/align:billed<Enter>
<Space><Space><Space>f
:save-svg $work/confirm.svg
<Esc><Esc>?
:save-svg $work/help.svg
STEPS
env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME="$work" XDG_CONFIG_HOME="$work" \
	EMNIFY_BASE_PATH="http://127.0.0.1:$port" EMNIFY_APPLICATION_TOKEN=emu-demo-token \
	SIMTOP_SCRIPT="$work/steps" "$builddir/simtop"

mkdir -p "$outdir"
for screen in fleet summary confirm detail help; do
	rsvg-convert "$work/$screen.svg" -o "$outdir/$screen.png"
	echo "screenshots: $outdir/$screen.png"
done
