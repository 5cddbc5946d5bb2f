#!/usr/bin/env bash
# Builds frameconn-VERSION-linux-x64.tar.gz: a jlink runtime holding only the modules the CLI
# needs (with its default CDS archive), the CLI's executable jar, a launcher, README, LICENSE,
# NOTICE. Run by frameconn-dist's pom at `package`; usable by hand with the same arguments.
#
# usage: make-dist.sh JDK_HOME VERSION CLI_JAR REPO_ROOT LAUNCHER TARGET_DIR OUTPUT_TIMESTAMP
set -euo pipefail

if (( $# != 7 )); then
  echo "usage: $0 JDK_HOME VERSION CLI_JAR REPO_ROOT LAUNCHER TARGET_DIR OUTPUT_TIMESTAMP" >&2
  exit 2
fi
jdk=$1 version=$2 cli_jar=$3 repo=$4 launcher=$5 target=$6 timestamp=$7

platform=linux-x64
if [[ $(uname -s) != Linux || $(uname -m) != x86_64 ]]; then
  echo "make-dist: the archive is $platform, but this machine is $(uname -s) $(uname -m)." >&2
  exit 1
fi
for tool in jlink jar; do
  if [[ ! -x $jdk/bin/$tool ]]; then
    echo "make-dist: $jdk/bin/$tool is missing: Maven must run on a full JDK 21+." >&2
    exit 1
  fi
done
if [[ ! -f $cli_jar ]]; then
  echo "make-dist: $cli_jar is missing (build frameconn-cli first: mvn -pl frameconn-dist -am package)." >&2
  exit 1
fi

name=frameconn-$version
stage=$target/dist
root=$stage/$name
tarball=$target/$name-$platform.tar.gz
rm -rf "$stage" "$tarball" "$target/dist-manifest"
mkdir -p "$root/bin" "$root/lib"

# Modules: what `jdeps --print-module-deps --ignore-missing-deps` finds in the CLI jar, less
# java.desktop and java.sql (only Micrometer binders the CLI never loads: Log4j2, JDBC), plus
# jdk.jfr (flight recordings: -XX:StartFlightRecording, the core's events) and, on JDKs where
# it still holds the EC algorithms (21), jdk.crypto.ec. DistTarballIT checks the list against
# jdeps, so a new dependency of the CLI cannot be left out silently.
modules=java.base,java.logging,java.management,java.naming,jdk.httpserver,jdk.management,jdk.unsupported,jdk.jfr
if "$jdk/bin/java" --list-modules | grep -q '^jdk\.crypto\.ec@'; then
  modules+=,jdk.crypto.ec
fi
"$jdk/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  --output "$root/runtime"
# The default CDS archive of the new runtime (lib/server/classes.jsa): the JDK classes load
# from a memory-mapped archive, about a third off the CLI's start-up time. jlink's own
# --generate-cds-archive also writes a second archive (no compressed oops) we do not need.
"$root/runtime/bin/java" -Xshare:dump -Xlog:cds=off -Xlog:cds+map=off >/dev/null

cp "$cli_jar" "$root/lib/frameconn-cli.jar"
# The CLI prints Implementation-Version for --version; stamp it if the CLI's jar does not.
mkdir -p "$target/dist-manifest"
(cd "$target/dist-manifest" && "$jdk/bin/jar" --extract --file "$root/lib/frameconn-cli.jar" META-INF/MANIFEST.MF)
if ! grep -q '^Implementation-Version:' "$target/dist-manifest/META-INF/MANIFEST.MF"; then
  manifest=$target/dist-manifest.txt
  printf 'Implementation-Title: frameconn\nImplementation-Version: %s\n' "$version" >"$manifest"
  "$jdk/bin/jar" --update --file "$root/lib/frameconn-cli.jar" --manifest "$manifest"
fi
install -m 0755 "$launcher" "$root/bin/frameconn"
for f in README.md LICENSE NOTICE CHANGELOG.md; do
  if [[ -f $repo/$f ]]; then
    install -m 0644 "$repo/$f" "$root/$f"
  fi
done
install -m 0644 "$(dirname "$launcher")/../THIRD-PARTY-NOTICES.txt" "$root/THIRD-PARTY-NOTICES.txt"

# A stable archive: sorted names, numeric root ownership, one modification time.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$timestamp" \
  -C "$stage" -cf - "$name" | gzip -n -6 >"$tarball"

size=$(stat -c %s "$tarball")
limit=$((60 * 1024 * 1024))
if (( size > limit )); then
  echo "make-dist: $tarball is $size bytes, over the $limit-byte limit." >&2
  exit 1
fi
echo "make-dist: $tarball ($((size / 1024)) KiB; runtime $(du -sk "$root/runtime" | cut -f1) KiB unpacked)"
