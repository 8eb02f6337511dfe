#!/usr/bin/env bash
# Shows what `dotnet test` does on a machine with the .NET SDK and nothing else: no root, no haproxy, nginx, redis-server,
# tshark or python3. Run as root (it needs root to build that machine): it builds, copies the repository with its
# build output to a temporary folder, hides those programs behind empty, non-executable files in a mount namespace
# of its own, and runs the tests there as an unprivileged user with an empty home. The tests that need what is
# missing are skipped with the reason; every other test must pass. It ends with the totals and each skipped test.
# Extra arguments go to dotnet test (e.g. --filter "Category!=Heavy").
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "test-bare.sh: run as root: it hides programs in a mount namespace and then drops to an unprivileged user" >&2
  exit 2
fi
user=${SOCKETKIT_BARE_USER:-nobody}
uid=$(id -u "$user")
gid=$(id -g "$user")
hidden=(haproxy nginx tshark dumpcap python3 redis-server)
bare_path=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

dotnet build SocketKit.slnx -c Release -v quiet -nologo

work=$(mktemp -d "${TMPDIR:-/tmp}/socketkit-bare.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo" "$work/home" "$work/tmp" "$work/results"
# The working tree with its build output, without git's own files (a worktree's .git points outside the copy).
tar --exclude=./.git --exclude=./TestResults -cf - . | tar -xf - -C "$work/repo"
: >"$work/empty"
chmod 0644 "$work/empty"
chown -R "$uid:$gid" "$work"
chmod 0755 "$work"

# The bare PATH: one folder linking every program of the system's bin folders but the hidden ones, so a test that
# looks a program up finds it missing, as on a machine without it.
mkdir "$work/bin"
for dir in ${bare_path//:/ }; do
  for program in "$dir"/*; do
    name=${program##*/}
    for hide in "${hidden[@]}"; do [[ $name == "$hide" || $name == "$hide".[0-9]* ]] && continue 2; done
    [[ -x $program && ! -e $work/bin/$name ]] && ln -s "$program" "$work/bin/$name"
  done
done
# Inside a private mount namespace the hidden programs also become empty files that cannot be executed, for
# whatever starts them by their full path; then the tests run as the unprivileged user with nothing inherited.
# The build output's restore points at root's NuGet packages, which the packaging tests pack from: inside the
# namespace they stay at their path, as the user's package folder, over an overlay where the user may add packages
# (the tool the tests install), while the rest of root's home is an empty folder.
packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //; s:/*$::')
mkdir "$work/packages" "$work/packages-upper" "$work/packages-work"
chown "$uid:$gid" "$work/packages-upper"
hide='
  if [[ $PACKAGES == "$ROOT_HOME"/* ]]; then
    mount -t overlay overlay -o "lowerdir=$PACKAGES,upperdir=$WORK/packages-upper,workdir=$WORK/packages-work" "$WORK/packages"
    mount -t tmpfs -o mode=0755 tmpfs "$ROOT_HOME"
    mkdir -p "$PACKAGES"
    mount --bind "$WORK/packages" "$PACKAGES"
  fi
  for dir in ${BARE_PATH//:/ }; do
    for name in '"${hidden[*]}"'; do
      for program in "$dir/$name" "$dir/$name".[0-9]*; do
        if [[ -e $program ]]; then mount --bind "$WORK/empty" "$program"; fi
      done
    done
  done'
status=0
unshare --mount --propagation private env WORK="$work" BARE_PATH="$bare_path" PACKAGES="$packages" ROOT_HOME="$HOME" bash -c "set -euo pipefail; $hide
  cd \"\$WORK/repo\"
  exec setpriv --reuid=$uid --regid=$gid --clear-groups \
    env -i PATH=\"\$WORK/bin\" HOME=\"\$WORK/home\" DOTNET_CLI_HOME=\"\$WORK/home\" TMPDIR=\"\$WORK/tmp\" \
      DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 LANG=C.UTF-8 NUGET_PACKAGES=\"\$PACKAGES\" \
    dotnet test tests/SocketKit.Tests -c Release --no-build --logger trx --results-directory \"\$WORK/results\" \"\$@\"" \
  bare "$@" || status=$?

# Totals and the skipped tests with their reasons, read from the results (no python3 here: it is what is missing).
count() { grep -ho "$1=\"[0-9]*\"" "$work"/results/*.trx 2>/dev/null | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
skipped=$(grep -ho 'outcome="NotExecuted"' "$work"/results/*.trx 2>/dev/null | wc -l || true)
echo "As $user, without root or ${hidden[*]}: $(count passed) passed, $(count failed) failed, $skipped skipped"
# Each skipped result: its test's name, then the skip reason xunit gave (the first line of its message).
sed -n '/outcome="NotExecuted"/,/<\/UnitTestResult>/{s/.*testName="\([^"]*\)".*/  skipped \1/p; s/.*<Message>\(.*\)<\/Message>.*/    because: \1/p}' \
  "$work"/results/*.trx | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g'
exit $status
