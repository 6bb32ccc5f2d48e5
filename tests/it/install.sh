#!/bin/sh
# make install into a scratch DESTDIR puts the programs, the man pages and the bash completion
# where a prefix of /usr/local says; the installed simtop runs its installed emulator for
# --demo; the installed completion completes; make uninstall takes it all away again.
. "$top_srcdir/tests/lib/harness.sh"

dest="$test_dir/dest"
prefix=/usr/local
# The directories are given, not taken from configure, so that the paths below hold whatever
# the build was configured with.
dirs="prefix=$prefix exec_prefix=$prefix bindir=$prefix/bin datarootdir=$prefix/share
	mandir=$prefix/share/man bashcompletiondir=$prefix/share/bash-completion/completions"
# A make of its own: the jobserver and variables of the make that runs the tests stay there.
if MAKEFLAGS= MFLAGS= make -C "$top_builddir" install DESTDIR="$dest" $dirs >make-install.log 2>&1; then
	pass "make install DESTDIR=... prefix=$prefix"
else
	fail "make install failed:"; cat make-install.log
	finish
fi

root="$dest$prefix"
for file in bin/simtop bin/simtop-emu; do
	if [ -x "$root/$file" ]; then pass "$file installed"; else fail "$file is not installed"; fi
done
for page in simtop.1 simtop-emu.1; do
	installed="$root/share/man/man1/$page"
	if ! cmp -s "$top_srcdir/man/$page" "$installed"; then
		fail "man1/$page is not installed as man/$page"
	elif [ -n "$GROFF" ] && "$GROFF" -t -man -Tutf8 -ww -z "$installed" >"$page.lint" 2>&1 && [ ! -s "$page.lint" ]; then
		pass "man1/$page installed, and formats cleanly"
	elif [ -n "$GROFF" ]; then
		fail "the installed $page does not format cleanly:"; cat "$page.lint"
	else
		pass "man1/$page installed (groff is not there to format it)"
	fi
done
completion="$root/share/bash-completion/completions/simtop"
if cmp -s "$top_srcdir/completions/simtop" "$completion"; then
	pass "the bash completion is installed as share/bash-completion/completions/simtop"
else
	fail "the bash completion is not installed as share/bash-completion/completions/simtop"
fi

"$root/bin/simtop" --version >version.out 2>&1
assert_eq "$(cat version.out)" "simtop $(sed -n 's/^AC_INIT(\[simtop\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" \
	"the installed simtop --version"

# --demo from the installed simtop, with neither the build tree nor the configured bindir on
# PATH: only the emulator beside it can start. (Unless one is installed there or on PATH.)
search=/usr/bin:/bin
elsewhere=""
[ -x "$bindir/simtop-emu" ] && elsewhere="$bindir/simtop-emu"
[ -z "$elsewhere" ] && elsewhere=$(PATH=$search command -v simtop-emu)
printf ':save-display demo.screen\n:quit\n' >demo.steps
PATH=$search SIMTOP_SCRIPT="$test_dir/demo.steps" timeout 60 "$root/bin/simtop" --demo=40 \
	>demo.stdout 2>demo.stderr
status=$?
assert_eq "$status" 0 "the installed simtop --demo's exit status"
[ "$status" -eq 0 ] || cat demo.stderr
assert_contains demo.screen "40 devices"

# Without the emulator beside it, simtop says where it looked.
mv "$root/bin/simtop-emu" "$test_dir/simtop-emu.aside"
PATH=$search SIMTOP_SCRIPT="$test_dir/demo.steps" timeout 60 "$root/bin/simtop" --demo=40 \
	>nodemo.stdout 2>nodemo.stderr
status=$?
mv "$test_dir/simtop-emu.aside" "$root/bin/simtop-emu"
if [ -n "$elsewhere" ]; then
	echo "skipped: an emulator is installed at $elsewhere"
else
	assert_eq "$status" 1 "simtop --demo's exit status without an emulator"
	# The directory as /proc/self/exe gives it: without symbolic links.
	assert_contains nodemo.stderr \
		"--demo runs simtop-emu, which is in neither $(cd "$root/bin" && pwd -P) nor $bindir, nor on PATH"
fi

# The installed completion, in bash.
if command -v bash >/dev/null; then
	assert_eq "$(complete_simtop "$completion" simtop li)" "list" "simtop li<Tab>"
	assert_eq "$(complete_simtop "$completion" simtop list --format '' | tr '\n' ' ' | sed 's/ $//')" "csv json table" \
		"simtop list --format <Tab>"
else
	echo "skipped: bash is not installed, the completion is not tried"
fi

if MAKEFLAGS= MFLAGS= make -C "$top_builddir" uninstall DESTDIR="$dest" $dirs >make-uninstall.log 2>&1; then
	pass "make uninstall"
else
	fail "make uninstall failed:"; cat make-uninstall.log
fi
find "$dest" ! -type d >left.txt
if [ -s left.txt ]; then
	fail "make uninstall left files:"; cat left.txt
else
	pass "make uninstall left no file"
fi
finish
