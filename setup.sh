#!/bin/sh
# Install what building and testing simtop needs on Debian 12, then build in this directory.
# Runs as root, or as a user with sudo. Packages already present are left alone.
set -eu
cd "$(dirname "$0")"

packages="build-essential autoconf automake pkg-config libncurses-dev libcurl4-openssl-dev
libcjson-dev libmicrohttpd-dev libcmocka-dev tmux groff-base curl ncurses-term
clang libclang-rt-14-dev"

missing=""
for package in $packages; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $package"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --enable-werror
make -j"$(nproc)"
