# shellcheck shell=bash
# Finding a JDK new enough for frameconn (21+: virtual threads are part of its design).
# Sourced by bin/frameconn and .ci/run; defines functions only, changes no shell options.

FRAMECONN_MIN_JAVA=${FRAMECONN_MIN_JAVA:-21}

# frameconn_java_release_version JAVA_BIN: print JAVA_VERSION from the release file of that
# java's JDK (e.g. 25.0.3, 21.0.7, 1.8.0_202), or return 1 if there is none. Starts no JVM:
# every JDK 9+ has JAVA_HOME/release, so finding a JDK costs milliseconds, not a JVM start each.
frameconn_java_release_version() {
  local java_bin=$1 home line
  [[ -n $java_bin && -x $java_bin && ! -d $java_bin ]] || return 1
  home=$(frameconn_java_home "$java_bin" 2>/dev/null) || return 1
  # only a real JDK layout counts: HOME/bin/java next to HOME/release
  [[ -f $home/release && -x $home/bin/java ]] || return 1
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ ^JAVA_VERSION=\"?([0-9][0-9._]*) ]]; then
      printf '%s\n' "${BASH_REMATCH[1]}"
      return 0
    fi
  done <"$home/release"
  return 1
}

# frameconn_java_major JAVA_BIN: print the major version of that java (8, 17, 21, 25, ...),
# or return 1 if it cannot be run or its version cannot be read.
frameconn_java_major() {
  local java_bin=$1 out ver
  [[ -n $java_bin && -x $java_bin && ! -d $java_bin ]] || return 1
  # The release file when there is one; otherwise ask the JVM.
  if ! ver=$(frameconn_java_release_version "$java_bin"); then
    # The specification version is the cleanest source: "1.8" up to Java 8, then "9", "17", "25".
    out=$("$java_bin" -XshowSettings:properties -version 2>&1) || out=
    ver=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*java\.specification\.version = \([0-9.]*\).*$/\1/p' | head -n 1)
  fi
  if [[ -z $ver ]]; then
    # Fallback: the first line of -version, e.g. openjdk version "17.0.15" 2025-04-15,
    # java version "1.8.0_202", openjdk version "25" 2025-09-16, openjdk version "21-ea".
    out=$("$java_bin" -version 2>&1) || return 1
    ver=$(printf '%s\n' "$out" | sed -n 's/^.* version "\([0-9][0-9.]*\).*$/\1/p' | head -n 1)
  fi
  [[ -n $ver ]] || return 1
  if [[ $ver == 1.* ]]; then
    ver=${ver#1.}
  fi
  ver=${ver%%[._]*}
  [[ $ver =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$ver"
}

# frameconn_find_jdk: print the path of a java binary whose major version is >= 21.
# Order: $JAVA_HOME/bin/java, then java on PATH (the user's choice wins if it is new enough),
# then the newest of /usr/lib/jvm/*/bin/java. Prints an error to stderr and returns 1 if none.
frameconn_find_jdk() {
  local min=${FRAMECONN_MIN_JAVA:-21} candidate major best='' best_major=0
  local -a tried=()

  if [[ -n ${JAVA_HOME:-} ]]; then
    candidate=$JAVA_HOME/bin/java
    if major=$(frameconn_java_major "$candidate"); then
      if (( major >= min )); then
        printf '%s\n' "$candidate"
        return 0
      fi
      tried+=("$candidate (Java $major, from JAVA_HOME)")
    else
      tried+=("$candidate (not runnable, from JAVA_HOME)")
    fi
  fi

  if candidate=$(command -v java 2>/dev/null) && [[ -n $candidate ]]; then
    if major=$(frameconn_java_major "$candidate"); then
      if (( major >= min )); then
        printf '%s\n' "$candidate"
        return 0
      fi
      tried+=("$candidate (Java $major, on PATH)")
    else
      tried+=("$candidate (not runnable, on PATH)")
    fi
  fi

  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x $candidate ]] || continue
    major=$(frameconn_java_major "$candidate") || continue
    if (( major > best_major )); then
      best=$candidate
      best_major=$major
    fi
    (( major >= min )) || tried+=("$candidate (Java $major)")
  done
  if [[ -n $best ]] && (( best_major >= min )); then
    printf '%s\n' "$best"
    return 0
  fi

  {
    printf 'frameconn: no Java %s or newer found.\n' "$min"
    if (( ${#tried[@]} > 0 )); then
      printf '  tried:\n'
      printf '    %s\n' "${tried[@]}"
    else
      printf '  no java on JAVA_HOME, PATH or under /usr/lib/jvm.\n'
    fi
    printf '  Install a JDK %s+ and set JAVA_HOME to it.\n' "$min"
  } >&2
  return 1
}

# frameconn_java_home JAVA_BIN: print the JDK home of a java binary, following symlinks
# (/usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/<jdk>/bin/java).
# An absolute path that is no symlink needs no process: HOME is two levels up.
frameconn_java_home() {
  local java_bin=$1 resolved dir
  if [[ $java_bin == /* && ! -L $java_bin ]]; then
    dir=${java_bin%/*}
    printf '%s\n' "${dir%/*}"
    return 0
  fi
  resolved=$(readlink -f "$java_bin" 2>/dev/null) || resolved=
  if [[ $resolved == /* ]]; then
    # canonical already: no symlink left anywhere in it
    dir=${resolved%/*}
    printf '%s\n' "${dir%/*}"
    return 0
  fi
  (cd "$(dirname "$java_bin")/.." && pwd -P)
}
