#!/bin/sh
# confine.sh - pipeline paths stay in the workspace: no dep or out outside it, in .plumb/ or .git/, through a symlink out, or a crafted lock hash.
. "${top_srcdir}/tests/lib.sh"

# A victim outside the workspace, and a workspace with a store and a git dir.
mkdir victim && printf 'precious\n' > victim/f && printf 'secret\n' > secret
mkdir w && cd w
"$PLUMB" init -q
mkdir .git && printf 'ref: refs/heads/main\n' > .git/HEAD
printf 'keep\n' > keep.txt
printf 'in\n' > in.txt

# intact: the store, the git dir, the victim and the workspace survive
intact() {
	cd "$T" && mkdir -p w && cd w	# (the workspace itself may be gone)
	[ -f .plumb/plumb.db ] && ok || fail "$1: the store was deleted"
	[ -f .git/HEAD ] && ok || fail "$1: .git was deleted"
	[ -f keep.txt ] && ok || fail "$1: a workspace file was deleted"
	assert_eq precious "$(cat "$T/victim/f" 2>/dev/null)" "$1: file outside the workspace"
	[ ! -e ran.flag ] && ok || fail "$1: a stage ran"
	rm -f ran.flag
	# (without the fix the cases above destroy these: put them back so
	# that every case is tried on its own)
	[ -f .plumb/plumb.db ] || { rm -rf .plumb; "$PLUMB" init -q; }
	[ -f .git/HEAD ] || { mkdir -p .git; printf 'ref: refs/heads/main\n' > .git/HEAD; }
	[ -f keep.txt ] || printf 'keep\n' > keep.txt
	[ -f in.txt ] || printf 'in\n' > in.txt
	mkdir -p sub
	[ -f "$T/victim/f" ] || { mkdir -p "$T/victim"; printf 'precious\n' > "$T/victim/f"; }
}

# refused WHAT LOC-AND-MESSAGE: repro, status and dag refuse plumb.yaml
refused() {
	for c in repro status dag; do
		set +e
		"$PLUMB" "$c" >"$T/.out" 2>"$T/.err"
		st=$?
		set -e
		assert_eq 1 "$st" "$1: $c exit status"
		assert_contains "$(cat "$T/.err")" "plumb: $2" "$1: $c message"
	done
	intact "$1"
}

# stage OUT-OR-DEPS-LINE: a one-stage pipeline; the path is at line 4, col 12
stage() {
	printf 'stages:\n  s:\n    cmd: touch ran.flag\n    %s\n' "$1" > plumb.yaml
}

stage 'outs: [.plumb]'
refused "out .plumb" "plumb.yaml:4:12: stage 's': output '.plumb' is inside the store (.plumb/)"
stage 'outs: [.plumb/cache]'
refused "out in .plumb" "plumb.yaml:4:12: stage 's': output '.plumb/cache' is inside the store (.plumb/)"
stage 'outs: [.]'
refused "out ." "plumb.yaml:4:12: stage 's': output '.' is the workspace itself"
stage 'outs: [./]'
refused "out ./" "plumb.yaml:4:12: stage 's': output './' is the workspace itself"
stage "outs: [$T/victim]"
refused "absolute out" "plumb.yaml:4:12: stage 's': output '$T/victim' is outside the workspace"
stage 'outs: [../victim]'
refused "out ../" "plumb.yaml:4:12: stage 's': output '../victim' is outside the workspace"
stage 'outs: [a/../../victim/f]'
refused "out a/../../" "plumb.yaml:4:12: stage 's': output 'a/../../victim/f' is outside the workspace"
stage 'outs: [.git]'
refused "out .git" "plumb.yaml:4:12: stage 's': output '.git' is inside .git/"
stage 'outs: [.git/HEAD]'
refused "out in .git" "plumb.yaml:4:12: stage 's': output '.git/HEAD' is inside .git/"
stage 'deps: [../secret]'
refused "dep ../" "plumb.yaml:4:12: stage 's': dependency '../secret' is outside the workspace"
stage "deps: [$T/secret]"
refused "absolute dep" "plumb.yaml:4:12: stage 's': dependency '$T/secret' is outside the workspace"
stage 'deps: [.plumb/plumb.db]'
refused "dep in .plumb" "plumb.yaml:4:12: stage 's': dependency '.plumb/plumb.db' is inside the store (.plumb/)"
stage 'metrics: [../victim/m.json]'
refused "metrics outside" "plumb.yaml:4:15: stage 's': output '../victim/m.json' is outside the workspace"
# wdir moves the paths: after it, they must still be inside
printf 'stages:\n  s:\n    cmd: touch ran.flag\n    wdir: sub\n    outs: [../../victim]\n' > plumb.yaml
mkdir -p sub
refused "wdir then ../.." "plumb.yaml:5:12: stage 's': output '../../victim' is outside the workspace"

# symlinks: an out that is, or lies under, a link out of the workspace
ln -s "$T/victim" link
stage 'outs: [link]'
refused "out is a symlink out" "plumb.yaml:4:12: stage 's': output 'link' is outside the workspace (through a symlink)"
stage 'outs: [link/f]'
refused "out under a symlink out" "plumb.yaml:4:12: stage 's': output 'link/f' is outside the workspace (through a symlink)"
stage 'deps: [link/f]'
refused "dep under a symlink out" "plumb.yaml:4:12: stage 's': dependency 'link/f' is outside the workspace (through a symlink)"
ln -s .plumb storelink
stage 'outs: [storelink/cache]'
refused "out through a link into the store" "plumb.yaml:4:12: stage 's': output 'storelink/cache' is inside the store (.plumb/) (through a symlink)"
ln -s "$T/nowhere/x" dangling
stage 'outs: [dangling]'
refused "dangling symlink out" "plumb.yaml:4:12: stage 's': output 'dangling' is outside the workspace (through a symlink)"
rm link storelink dangling

# A stage that makes its output a symlink out of the workspace: the output
# is not cached through it, and the next run does not delete through it.
printf 'stages:\n  mk:\n    cmd: ln -sfn %s d\n    outs: [d]\n' "$T/victim" > plumb.yaml
set +e
"$PLUMB" repro >"$T/.out" 2>"$T/.err"
st=$?
set -e
assert_eq 1 "$st" "a stage whose output leaves the workspace fails"
assert_contains "$(cat "$T/.out" "$T/.err")" "output d is outside the workspace (through a symlink)" "message names the output"
[ -z "$(find .plumb/cache -type f 2>/dev/null)" ] && ok || fail "nothing outside was cached"
assert_eq precious "$(cat "$T/victim/f")" "the victim is intact after the stage"
# the next run refuses before the stage runs: d now leads out
set +e
"$PLUMB" repro >"$T/.out" 2>"$T/.err"
st=$?
set -e
assert_eq 1 "$st" "second run refused"
assert_contains "$(cat "$T/.err")" "plumb.yaml:4:12: stage 'mk': output 'd' is outside the workspace (through a symlink)" "second run message"
assert_eq precious "$(cat "$T/victim/f")" "the victim is intact after the second run"
rm -f d

# A dep directory holding a symlink out of the workspace is not walked through
mkdir -p data && printf 'a\n' > data/a && ln -s /usr data/usr && ln -s ../in.txt data/inner
printf 'stages:\n  s:\n    cmd: cat data/a > o.txt\n    deps: [data]\n    outs: [o.txt]\n' > plumb.yaml
"$PLUMB" repro >"$T/.out" 2>"$T/.err" || fail "dep dir with a symlink out: $(cat "$T/.err")"
assert_not_contains "$(cat plumb.lock)" "nfiles: 1000" "sanity"
# the manifest of data lists a and inner (inside), never usr/...
man=$(grep -A3 'path: data' plumb.lock | sed -n 's/.*sha256: //p' | head -1)
obj=".plumb/cache/$(printf %s "$man" | cut -c1-2)/$(printf %s "$man" | cut -c3-)"
if [ -f "$obj" ]; then
	assert_not_contains "$(cat "$obj")" " usr/" "no file under the /usr link is in the manifest"
	assert_contains "$(cat "$obj")" " inner" "a symlink inside the workspace is followed"
fi
assert_contains "$(grep -A3 'path: data' plumb.lock)" "nfiles: 2" "data has two files (a, inner)"
rm -rf data o.txt plumb.lock

# plumb.lock: a sha256 that is not 64 lowercase hex digits is refused with
# its line and column.  The crafted one makes the cache path
# .plumb/cache/../////.../../../secret, a file outside the workspace.
printf 'stages:\n  s:\n    cmd: cp in.txt o.txt\n    deps: [in.txt]\n    outs: [o.txt]\n' > plumb.yaml
"$PLUMB" repro >"$T/.out" 2>"$T/.err" || fail "plain repro: $(cat "$T/.err")"
pad=$(printf '%49s' '' | tr ' ' /)
evil="..${pad}/../../secret"
assert_eq 64 "${#evil}" "the crafted hash is 64 characters"
good=$(sed -n '/path: o.txt/{n;s/.*sha256: //p}' plumb.lock)
[ -n "$good" ] && ok || fail "lock has the hash of o.txt"
sed "s|$good|$evil|" plumb.lock > lock.new && mv lock.new plumb.lock
rm o.txt
line=$(grep -nF "sha256: $evil" plumb.lock | head -1 | cut -d: -f1)
col=$(sed -n "${line}p" plumb.lock | awk '{print index($0, "..")}')
set +e
"$PLUMB" repro >"$T/.out" 2>"$T/.err"
st=$?
set -e
assert_eq 1 "$st" "crafted lock hash: exit status"
assert_contains "$(cat "$T/.err")" "plumb.lock:$line:$col: sha256 must be 64 lowercase hex digits" "crafted lock hash: message"
[ ! -e o.txt ] && ok || fail "crafted lock hash: o.txt was restored from $(cat o.txt)"
# uppercase hex is refused too (the store names objects in lowercase)
up=$(printf %s "$good" | tr a-f A-F)
sed "s|$evil|$up|" plumb.lock > lock.new && mv lock.new plumb.lock
set +e
"$PLUMB" repro >"$T/.out" 2>"$T/.err"
st=$?
set -e
assert_eq 1 "$st" "uppercase lock hash: exit status"
assert_contains "$(cat "$T/.err")" "sha256 must be 64 lowercase hex digits" "uppercase lock hash: message"

# A data pointer with a crafted hash is refused the same way
printf 'x\n' > pd.txt
"$PLUMB" data add pd.txt >/dev/null
sed "s|sha256: .*|sha256: $evil|" pd.txt.plumb > p.new && mv p.new pd.txt.plumb
rm pd.txt
set +e
"$PLUMB" data checkout pd.txt >"$T/.out" 2>"$T/.err"
st=$?
set -e
assert_eq 1 "$st" "crafted pointer hash: exit status"
assert_contains "$(cat "$T/.err")" "pd.txt.plumb:" "crafted pointer hash: located"
[ ! -e pd.txt ] && ok || fail "crafted pointer hash: pd.txt was restored"

intact "end"
done_testing
