#!/bin/sh
# data.sh - plumb data add/status/checkout/log/hash: pointers, the cache, safe checkouts, lineage.
. "${top_srcdir}/tests/lib.sh"

mkdir w && cd w
"$PLUMB" init >/dev/null 2>&1 || fail "init"
mkdir -p raw/sub
printf 'a,b\n1,2\n' > raw/one.csv
printf 'x\n' > raw/sub/two.txt
printf 'hello\n' > notes.txt

"$PLUMB" data add raw notes.txt >add.out 2>&1 || fail "add: $(cat add.out)"
assert_contains "$(cat add.out)" "2 files" "a directory is added with its file count"
assert_contains "$(cat raw.plumb)" "path: raw" "pointer names the data"
assert_contains "$(cat raw.plumb)" "nfiles: 2" "pointer has the file count"
nh=$(sha256sum notes.txt | cut -d' ' -f1)
assert_contains "$(cat notes.txt.plumb)" "sha256: $nh" "a file's hash is its SHA-256"
assert_eq "$nh  notes.txt" "$("$PLUMB" data hash notes.txt)" "data hash agrees with sha256sum"
assert_eq "$nh  notes.txt" "$("$PLUMB" data hash --no-memo notes.txt)" "with or without the memo"
assert_contains "$("$PLUMB" data status)" "Data is up to date (2 paths)" "clean after add"
audit=$("$PLUMB" audit --json --action data.add)
assert_contains "$audit" '"action":"data.add"' "data add is in the audit log"
assert_contains "$audit" "$nh" "the audit entry names the version"

# a directory hash is the hash of its manifest (sorted path, hash, size, mode)
h1=$(sha256sum raw/one.csv | cut -d' ' -f1)
h2=$(sha256sum raw/sub/two.txt | cut -d' ' -f1)
m1=$(stat -c %a raw/one.csv); m2=$(stat -c %a raw/sub/two.txt)
mh=$(printf '%s 8 %s one.csv\n%s 2 %s sub/two.txt\n' "$h1" "$m1" "$h2" "$m2" | sha256sum | cut -d' ' -f1)
assert_contains "$(cat raw.plumb)" "sha256: $mh" "directory hash = SHA-256 of its manifest"

# edits show up; checkout refuses to drop them unless forced
printf 'changed\n' > notes.txt
assert_contains "$("$PLUMB" data status)" "modified         notes.txt" "an edit is seen"
assert_status 1 "checkout over edits" -- "$PLUMB" data checkout notes.txt
assert_contains "$(cat "$T/.err")" "not versioned" "and says why"
"$PLUMB" data checkout --force notes.txt || fail "forced checkout"
assert_eq "hello" "$(cat notes.txt)" "forced checkout restores"

# deleted data comes back from the cache, extra files in a directory go
rm -rf raw
assert_contains "$("$PLUMB" data status)" "not checked out  raw" "missing data is seen"
"$PLUMB" data checkout || fail "checkout all"
assert_eq "1,2" "$(tail -1 raw/one.csv)" "a directory is restored"
assert_eq "x" "$(cat raw/sub/two.txt)" "with its subdirectories"
echo stray > raw/stray.txt
"$PLUMB" data checkout --force raw || fail "checkout raw"
[ ! -e raw/stray.txt ] && ok || fail "files not in the version are removed"

# editing a checked-out copy never corrupts the cache
"$PLUMB" data checkout --link copy --force notes.txt
echo more >> notes.txt
rm notes.txt
"$PLUMB" data checkout notes.txt
assert_eq "hello" "$(cat notes.txt)" "the cache kept the original after an in-place edit"
rm notes.txt
"$PLUMB" data checkout --link hardlink notes.txt || fail "hardlink checkout"
[ ! -w notes.txt ] || [ "$(id -u)" = 0 ] && ok || fail "a hardlinked file is read-only"
obj=".plumb/cache/$(echo "$nh" | cut -c1-2)/$(echo "$nh" | cut -c3-)"
assert_eq "$nh" "$(sha256sum "$obj" | cut -d' ' -f1)" "the cache object is intact"

# inside git, the data is ignored and the pointer is not
if command -v git >/dev/null 2>&1; then
	mkdir g && (cd g && git init -q . && mkdir d && echo 1 > d/x.csv &&
		"$PLUMB" data add d/x.csv >/dev/null && "$PLUMB" data add d/x.csv >/dev/null)
	assert_eq "/x.csv" "$(cat g/d/.gitignore)" "the data goes into .gitignore, once"
	assert_contains "$(cd g && git status --porcelain --untracked-files=all)" "d/x.csv.plumb" "the pointer is for git"
	assert_not_contains "$(cd g && git status --porcelain --untracked-files=all)" "d/x.csv
" "the data is not"
fi

# versions and lineage
printf 'v2\n' > notes.txt
"$PLUMB" data add notes.txt >/dev/null || fail "add v2"
cat > plumb.yaml <<'P'
stages:
  use:
    cmd: wc -l notes.txt > count.txt
    deps: [notes.txt]
    outs: [count.txt]
P
"$PLUMB" repro >/dev/null 2>&1 || fail "repro"
"$PLUMB" data log notes.txt >log.out || fail "log"
assert_eq 2 "$(grep -c 'root@\|@' log.out)" "two versions"
assert_contains "$(head -1 log.out)" "$(sha256sum notes.txt | cut -c1-12)" "newest first"
assert_contains "$(cat log.out)" "read by run" "the run that read the current version"
assert_eq 1 "$(grep -c 'read by run' log.out)" "only that version was read"

# a pointer with a bad hash is reported with its location
printf 'path: notes.txt\nsha256: nothex\n' > notes.txt.plumb
assert_status 1 "bad pointer" -- "$PLUMB" data status notes.txt
assert_contains "$(cat "$T/.err")" "notes.txt.plumb:2:9: sha256 must be 64 lowercase hex digits" "bad pointer: location"

done_testing
