#!/usr/bin/env bash
# The installed package, used as an outside project would (ctest label `install`):
#  1. `cmake --install` of the build tree into a temporary prefix; every file of the package is
#     there (headers, libtextdb.a, libtextdb.so.MAJOR with its SONAME, the CMake package,
#     textdb.pc, the tool, its man page and bash completion);
#  2. each installed public header compiles on its own against the installed include directory,
#     and includes no Boost, ICU, fmt or RE2 header;
#  3. libtextdb/examples/ configured and built out of tree, warnings as errors: find_package +
#     the shared library, find_package + textdb::textdb_static, pkg-config + the shared library;
#     and the pkg-config build's object linked again from `pkg-config --static` flags and
#     libtextdb.a;
#  4. each of the four programs run on sample-data/packages.deb822 and tests/install/libs.deb822,
#     its output checked against the input files; the shared ones load the installed
#     libtextdb.so.0, the static ones no libtextdb at all;
#  5. a parent project taking textdb's sources with FetchContent (which add_subdirectory()s them)
#     gets textdb::textdb and compiles against it without our warning flags, tests, tools or
#     install rules.
#
# Usage: consumer_test.sh BUILD_DIR SOURCE_DIR CXX_COMPILER
set -euo pipefail
build_dir=$1
source_dir=$2
cxx=$3
start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/textdb-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
  echo "consumer_test: FAIL: $*" >&2
  exit 1
}
step() { echo "consumer_test: [$((SECONDS - start)) s] $*"; }
# The consumers must see only what is installed under $prefix, never this machine's other
# CMake packages or .pc files of textdb.
unset CMAKE_PREFIX_PATH PKG_CONFIG_PATH

# ---- 1. install ------------------------------------------------------------------------------
prefix=$work/prefix
step "cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" || {
  cat "$work/install.log"
  fail "cmake --install failed"
}
pc_file=$(find "$prefix" -name textdb.pc -path '*/pkgconfig/*')
[ -n "$pc_file" ] || fail "textdb.pc was not installed"
libdir=$(dirname "$(dirname "$pc_file")")
for file in "$libdir/libtextdb.a" "$libdir/libtextdb.so" "$libdir/libtextdb.so.0" \
  "$libdir/cmake/textdb/textdbConfig.cmake" "$libdir/cmake/textdb/textdbConfigVersion.cmake" \
  "$libdir/cmake/textdb/textdbTargets.cmake" "$prefix/bin/textdb" \
  "$prefix/share/man/man1/textdb.1" "$prefix/share/bash-completion/completions/textdb"; do
  [ -e "$file" ] || fail "not installed: ${file#"$prefix"/}"
done
soname=$(readelf -d "$libdir/libtextdb.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libtextdb.so.0 ] || fail "SONAME is '$soname', expected libtextdb.so.0"
# Exactly the public headers, nothing of src/.
diff <(cd "$source_dir/libtextdb/include/textdb" && ls -- *.h) \
  <(cd "$prefix/include/textdb" && ls) || fail "installed headers differ from include/textdb/"
"$prefix/bin/textdb" --version | grep -q "^textdb " || fail "installed textdb --version"
grep -q '^\.TH TEXTDB 1' "$prefix/share/man/man1/textdb.1" || fail "man page has no .TH line"
bash -n "$prefix/share/bash-completion/completions/textdb" || fail "completion: bash syntax"
grep -q 'complete .*textdb' "$prefix/share/bash-completion/completions/textdb" ||
  fail "the completion script registers no completion for textdb"

# ---- 2. each header on its own (run in the background with step 5) ----------------------------
check_headers() {
  step "compiling each installed header alone"
  local header name tu
  for header in "$prefix"/include/textdb/*.h; do
    name=$(basename "$header")
    tu=$work/header_${name%.h}.cc
    printf '#include <textdb/%s>\n' "$name" >"$tu"
    # -H lists every header the TU reads: none may be a dependency's.
    "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -H -I"$prefix/include" "$tu" \
      2>"$tu.log" || {
      cat "$tu.log"
      fail "$name does not compile on its own"
    }
    ! grep -Eq '/(boost|unicode|fmt|re2)/' "$tu.log" || fail "$name includes a dependency's header"
  done
}

# ---- 5. FetchContent (add_subdirectory) (in the background with step 2) ---------------------
check_parent() {
  step "FetchContent/add_subdirectory(textdb) in a parent project"
  local parent=$work/parent targets absent app_command
  mkdir -p "$parent/src"
  cp "$source_dir/libtextdb/examples/packages_browser/packages_browser.cc" "$parent/src/main.cc"
  cat >"$parent/src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(parent LANGUAGES CXX)
include(FetchContent)
FetchContent_Declare(textdb SOURCE_DIR "$source_dir")
FetchContent_MakeAvailable(textdb)
add_executable(app main.cc)
target_link_libraries(app PRIVATE textdb::textdb)
EOF
  cmake -S "$parent/src" -B "$parent/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$parent/configure.log" 2>&1 || {
    cat "$parent/configure.log"
    fail "the parent project does not configure"
  }
  targets=$(ninja -C "$parent/build" -t targets all)
  grep -q '^textdb_static:' <<<"$targets" || fail "the parent project has no textdb_static target"
  for absent in textdb_tool textdb_unit_tests textdb_manpage; do
    ! grep -q "^$absent:" <<<"$targets" || fail "the parent project builds $absent"
  done
  ! grep -q 'BUILD_SHARED_LIBS\|^TEXTDB_WERROR:BOOL=ON' "$parent/build/CMakeCache.txt" ||
    fail "the parent's cache got BUILD_SHARED_LIBS or TEXTDB_WERROR=ON"
  [ -f "$parent/build/_deps/textdb-build/libtextdb/cmake_install.cmake" ] ||
    fail "FetchContent did not build textdb in _deps/textdb-build"
  ! grep -rq 'file(INSTALL' "$parent/build/_deps/textdb-build" --include=cmake_install.cmake ||
    fail "the parent project got textdb's install rules (TEXTDB_INSTALL should be OFF)"
  app_command=$(grep '"command".*main\.cc' "$parent/build/compile_commands.json")
  ! grep -Eq -- '-W(all|extra|error|conversion)' <<<"$app_command" ||
    fail "textdb's warning flags reached the parent's target: $app_command"
  # Only the parent's own file: it compiles against textdb::textdb's include directory and C++20.
  ninja -C "$parent/build" CMakeFiles/app.dir/main.cc.o >"$parent/build.log" 2>&1 || {
    cat "$parent/build.log"
    fail "the parent's target does not compile against textdb::textdb"
  }
}

# Steps 2 and 5 need nothing of steps 3 and 4: they run meanwhile (the machine has 2 cores).
(check_headers && check_parent) >"$work/background.log" 2>&1 &
background=$!

# ---- 3. the examples, out of tree --------------------------------------------------------------
# build NAME ENV... -- CMAKE_ARGS...: configures and builds libtextdb/examples in $work/NAME.
build() {
  local name=$1
  shift
  local env=()
  while [ "$1" != -- ]; do
    env+=("$1")
    shift
  done
  shift
  step "examples: $name"
  env "${env[@]}" cmake -S "$source_dir/libtextdb/examples" -B "$work/$name" -G Ninja \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" "$@" \
    >"$work/$name.log" 2>&1 &&
    cmake --build "$work/$name" -j2 >>"$work/$name.log" 2>&1 || {
    cat "$work/$name.log"
    fail "examples: $name did not build"
  }
}
build find_package_shared -- -DCMAKE_PREFIX_PATH="$prefix"
build find_package_static -- -DCMAKE_PREFIX_PATH="$prefix" -DEXAMPLES_USE_STATIC=ON
build pkgconfig_shared PKG_CONFIG_PATH="$libdir/pkgconfig" -- -DEXAMPLES_USE_PKGCONFIG=ON
# The static link a pkg-config user makes: Libs.private and Requires.private must suffice.
step "examples: pkgconfig_static (pkg-config --static)"
object=$(find "$work/pkgconfig_shared" -name 'packages_browser.cc.o')
static_flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --static --libs textdb)
[[ " $static_flags " == *" -ltextdb "* ]] || fail "pkg-config --static --libs: $static_flags"
mkdir -p "$work/pkgconfig_static/packages_browser"
# shellcheck disable=SC2086 # the flags are words
"$cxx" -o "$work/pkgconfig_static/packages_browser/packages_browser" "$object" \
  ${static_flags/-ltextdb/-l:libtextdb.a} || fail "linking with pkg-config --static flags"

# ---- 4. run them -------------------------------------------------------------------------------
sample=$source_dir/sample-data/packages.deb822
libs=$source_dir/tests/install/libs.deb822
# Expected results, computed from the input files.
expected_show=$(awk -v RS= '/^Package: hello\n/' "$sample")
expected_search=$(cat "$sample" "$libs" | awk -v RS= -F'\n' '{
    p = ""; v = ""; s = ""
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^Package: /) p = substr($i, 10)
      if ($i ~ /^Version: /) v = substr($i, 10)
      if ($i ~ /^Installed-Size: /) s = substr($i, 17)
    }
    if (s + 0 > 1000) print p " " v " " s " KiB"
  }' | LC_ALL=C sort)
expected_rdepends=$(cat "$sample" "$libs" | awk -v RS= -F'\n' '{
    p = ""; v = ""; s = ""; d = 0
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^Package: /) p = substr($i, 10)
      if ($i ~ /^Version: /) v = substr($i, 10)
      if ($i ~ /^Installed-Size: /) s = substr($i, 17)
      if ($i ~ /^Depends: / && ($i ~ /[ ,]libc6([ ,(:]|$)/)) d = 1
    }
    if (d) print p " " v " " s " KiB"
  }' | LC_ALL=C sort)
[ "$(echo "$expected_rdepends" | wc -l)" -ge 5 ] || fail "fixture: few packages need libc6"
# Versions before 2 by dpkg's own order (epochs, ~ and all).
expected_old=$(cat "$sample" "$libs" | awk -v RS= -F'\n' '{
    p = ""; v = ""; s = ""
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^Package: /) p = substr($i, 10)
      if ($i ~ /^Version: /) v = substr($i, 10)
      if ($i ~ /^Installed-Size: /) s = substr($i, 17)
    }
    if (p != "") print p " " v " " s " KiB"
  }' | while read -r package version size unit; do
  if dpkg --compare-versions "$version" lt 2; then echo "$package $version $size $unit"; fi
done | LC_ALL=C sort)
[ "$(echo "$expected_old" | wc -l)" -ge 2 ] || fail "fixture: few versions before 2"

for variant in find_package_shared find_package_static pkgconfig_shared pkgconfig_static; do
  step "running $variant"
  browser=$work/$variant/packages_browser/packages_browser
  linked=$(ldd "$browser")
  if [[ $variant == *_shared ]]; then
    # The installed library, found through the RUNPATH CMake wrote (no LD_LIBRARY_PATH here).
    grep -q "libtextdb.so.0 => $libdir/libtextdb.so.0" <<<"$linked" ||
      fail "$variant does not load $libdir/libtextdb.so.0: $linked"
  else
    ! grep -q libtextdb <<<"$linked" || fail "$variant is linked statically, yet: $linked"
  fi
  db=$work/db-$variant
  out=$("$browser" "$db" import "$sample" "$libs") || fail "$variant: import exited $?"
  [ "$out" = "imported 14 packages" ] || fail "$variant: import said '$out'"
  out=$("$browser" "$db" show hello) || fail "$variant: show exited $?"
  [ "$out" = "$expected_show" ] || fail "$variant: show hello printed: $out"
  out=$("$browser" "$db" search 'Installed-Size > 1000') || fail "$variant: search exited $?"
  [ "$out" = "$expected_search" ] || fail "$variant: search printed: $out"
  out=$("$browser" "$db" rdepends libc6) || fail "$variant: rdepends exited $?"
  [ "$out" = "$expected_rdepends" ] || fail "$variant: rdepends printed: $out"
  out=$("$browser" "$db" depends libjq1) || fail "$variant: depends exited $?"
  [ "$out" = "Depends: libc6 -> libc6 2.36-9+deb12u14 13001 KiB
Depends: libonig5 -> no package 'libonig5'" ] || fail "$variant: depends libjq1 printed: $out"
  # Version is typed debversion by the example's schema: compared as dpkg compares versions.
  out=$("$browser" "$db" search 'Version < "2"') || fail "$variant: typed search exited $?"
  [ "$out" = "$expected_old" ] || fail "$variant: search 'Version < \"2\"' printed: $out"
  # Errors: a bad expression (exit 2, located with a caret), an absent package (exit 1).
  status=0
  "$browser" "$db" search 'Installed-Size >' 2>"$work/err" || status=$?
  [ $status -eq 2 ] && grep -q '\^' "$work/err" || fail "$variant: bad expression: exit $status"
  status=0
  "$browser" "$db" show no-such-package 2>/dev/null || status=$?
  [ $status -eq 1 ] || fail "$variant: show of an absent package exited $status"
  # The database is an ordinary textdb database: the installed tool checks it.
  "$prefix/bin/textdb" check --db "$db" >/dev/null || fail "$variant: textdb check of its database"
  # address_book (typed records), in the three variants CMake built: the checks of the in-tree
  # test examples.address_book, on the installed headers and library.
  if [ "$variant" != pkgconfig_static ]; then
    /usr/bin/python3 "$source_dir/tests/examples/address_book_test.py" \
      "$work/$variant/address_book/address_book" >"$work/address_book-$variant.log" 2>&1 || {
      cat "$work/address_book-$variant.log"
      fail "$variant: address_book"
    }
  fi
done

wait "$background" || {
  cat "$work/background.log"
  fail "(steps 2 and 5, output above)"
}
cat "$work/background.log"
step "passed"
