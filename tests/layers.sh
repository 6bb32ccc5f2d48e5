#!/bin/sh
# The layout shows the layers, and the arrows between them go one way (README, Layout):
#   util  <-  core  <-  emnify  <-  tui  <-  cli
# A file includes headers of its own layer or of the layers left of it; only src/emnify knows
# libcurl and only src/tui knows curses; and no two files include each other, directly or
# round a circle.
. "$top_srcdir/tests/lib/harness.sh"

src="$top_srcdir/src"
rank() {
	case $1 in
	util) echo 0 ;; core) echo 1 ;; emnify) echo 2 ;; tui) echo 3 ;; cli) echo 4 ;; *) echo 9 ;;
	esac
}

# Where each header lives: "name layer".
for file in "$src"/*/*.h; do
	layer=$(basename "$(dirname "$file")")
	[ "$layer" = emu ] || echo "$(basename "$file" .h) $layer"
done >headers.layers

files=0 wrong=0
for file in "$src"/util/*.[ch] "$src"/core/*.[ch] "$src"/emnify/*.[ch] "$src"/tui/*.[ch] "$src"/cli/*.[ch]; do
	layer=$(basename "$(dirname "$file")")
	name=$(basename "$file")
	files=$((files + 1))
	for header in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$file"); do
		target=$(awk -v h="$header" '$1 == h { print $2 }' headers.layers)
		if [ -z "$target" ]; then
			fail "$layer/$name includes $header.h, which is in no layer"; wrong=$((wrong + 1))
		elif [ "$(rank "$target")" -gt "$(rank "$layer")" ]; then
			fail "$layer/$name includes $target/$header.h: the arrow goes the wrong way"; wrong=$((wrong + 1))
		fi
	done
	if grep -q '^#include <curl/' "$file" && [ "$layer" != emnify ]; then
		fail "$layer/$name includes libcurl, which only src/emnify may"; wrong=$((wrong + 1))
	fi
	if grep -q '^#include <n*curses.h>' "$file" && [ "$layer" != tui ]; then
		fail "$layer/$name includes curses, which only src/tui may"; wrong=$((wrong + 1))
	fi
done
[ "$files" -gt 60 ] || fail "only $files files found under src/: the layout moved?"
[ "$wrong" -eq 0 ] && pass "$files files include only their own layer and the layers below it"
for layer in util core emnify tui cli; do
	ls "$src/$layer"/*.c >/dev/null 2>&1 || fail "src/$layer holds no code"
done
if ls "$src"/*.[ch] >/dev/null 2>&1; then
	fail "files outside the layers: $(ls "$src"/*.[ch] | tr '\n' ' ')"
else
	pass "every source file is in a layer"
fi

# Modules (a .c and its .h) and the modules each includes; tsort names a circle if there is one.
for file in "$src"/util/*.[ch] "$src"/core/*.[ch] "$src"/emnify/*.[ch] "$src"/tui/*.[ch] "$src"/cli/*.[ch]; do
	module=$(basename "$file" | sed 's/\.[ch]$//')
	for header in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$file"); do
		[ "$header" = "$module" ] || echo "$module $header"
	done
done | sort -u >includes.graph
if tsort includes.graph >/dev/null 2>tsort.err; then
	pass "no two modules include each other, directly or round a circle ($(wc -l <includes.graph) arrows)"
else
	fail "modules include each other in a circle:"; cat tsort.err
fi
finish
